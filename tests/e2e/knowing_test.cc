// Knowing the customer through the real loyaltyd (issue 4): a Feedback sent
// over TCP and with the CLI comes back in the next lookup as the customer's
// NPS, next to their lifecycle stage; bad scores are refused naming `score`.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "adapters/net/client.h"
#include "tests/support/pki.h"
#include "tests/support/requests.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace loyalty {
namespace {

using testing::RunCli;
using testing::ServerProcess;
using testing::TempDir;

v1::Request Feedback(const std::string& txn, const std::string& card, int score) {
  v1::Request r;
  v1::Feedback* f = r.mutable_feedback();
  f->set_transaction_id(txn);
  f->set_store_id("S1");
  f->set_card(card);
  f->set_event_time_ms(testing::WallClockMs());
  f->set_score(score);
  return r;
}

class KnowingE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(
        dir_.Sub("db"), std::vector<std::string>{"--rules", EXAMPLE_RULES_PATH});
    ASSERT_TRUE(server_->ok()) << server_->Stderr();
    auto c = testing::ConnectAs(server_->address());
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    client_ = std::move(*c);
  }
  v1::Reply Call(v1::Request r) {
    auto reply = client_->Call(std::move(r));
    EXPECT_TRUE(reply.ok()) << reply.status().ToString();
    return reply.ok() ? *reply : v1::Reply();
  }
  v1::Signals SignalsOf(const std::string& card) {
    const v1::Reply r = Call(testing::WireLookup(card));
    EXPECT_TRUE(r.has_profile()) << r.DebugString();
    EXPECT_TRUE(r.profile().has_signals()) << r.DebugString();
    return r.profile().signals();
  }
  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<net::Client> client_;
};

TEST_F(KnowingE2eTest, AFeedbackComesBackInTheLookupNextToTheLifecycle) {
  const v1::Reply bought = Call(testing::WirePurchase("T-1", "4242", 1234, testing::WallClockMs()));
  ASSERT_EQ(bought.decision().outcome(), v1::APPLIED) << bought.DebugString();
  EXPECT_EQ(bought.decision().lifecycle(), v1::LIFECYCLE_TESTER);  // one purchase

  v1::Signals before = SignalsOf("4242");
  EXPECT_FALSE(before.has_nps_score());
  EXPECT_EQ(before.nps_group(), v1::NPS_GROUP_NONE);

  const v1::Reply answered = Call(Feedback("F-1", "4242", 9));
  ASSERT_EQ(answered.decision().outcome(), v1::APPLIED) << answered.DebugString();
  v1::Signals after = SignalsOf("4242");
  ASSERT_TRUE(after.has_nps_score());
  EXPECT_EQ(after.nps_score(), 9);
  EXPECT_EQ(after.nps_group(), v1::NPS_GROUP_PROMOTER);
  EXPECT_EQ(after.lifecycle(), v1::LIFECYCLE_TESTER);
  EXPECT_EQ(after.cost_to_serve().revenue_minor(), 1234);

  // The latest score counts; a retry of the first changes nothing.
  ASSERT_EQ(Call(Feedback("F-2", "4242", 3)).decision().outcome(), v1::APPLIED);
  const v1::Reply retry = Call(Feedback("F-1", "4242", 9));
  EXPECT_EQ(retry.decision().SerializeAsString(), answered.decision().SerializeAsString());
  EXPECT_EQ(SignalsOf("4242").nps_score(), 3);
  EXPECT_EQ(SignalsOf("4242").nps_group(), v1::NPS_GROUP_DETRACTOR);
}

TEST_F(KnowingE2eTest, ScoresOutsideZeroToTenOrMissingAreRefusedNamingScore) {
  ASSERT_EQ(
      Call(testing::WirePurchase("T-1", "4242", 1234, testing::WallClockMs())).decision().outcome(),
      v1::APPLIED);
  const v1::Reply eleven = Call(Feedback("F-1", "4242", 11));
  ASSERT_TRUE(eleven.has_error()) << eleven.DebugString();
  EXPECT_EQ(eleven.error().code(), v1::INVALID_FIELD);
  EXPECT_EQ(eleven.error().field(), "score");
  v1::Request missing = Feedback("F-2", "4242", 5);
  missing.mutable_feedback()->clear_score();
  const v1::Reply none = Call(missing);
  EXPECT_EQ(none.error().field(), "score");
  EXPECT_FALSE(SignalsOf("4242").has_nps_score());  // nothing stored
  EXPECT_EQ(Call(Feedback("F-3", "nobody", 8)).error().code(), v1::UNKNOWN_CARD);
}

TEST_F(KnowingE2eTest, TheCliRecordsFeedbackAndShowsItInALookup) {
  const std::string s = server_->address();
  ASSERT_EQ(RunCli({"--server", s, "purchase", "--txn", "T-1", "--store", "S1", "--card", "4242",
                    "--amount", "12.34"})
                .exit_code,
            0);
  auto given = RunCli({"--server", s, "--json", "feedback", "--txn", "F-1", "--store", "S1",
                       "--card", "4242", "--score", "10", "--comment", "quick and friendly"});
  ASSERT_EQ(given.exit_code, 0) << given.out;
  EXPECT_EQ(nlohmann::json::parse(given.out)["decision"]["outcome"], "applied");

  auto looked = RunCli({"--server", s, "--json", "lookup", "--card", "4242"});
  ASSERT_EQ(looked.exit_code, 0);
  const nlohmann::json signals = nlohmann::json::parse(looked.out)["profile"]["signals"];
  EXPECT_EQ(signals["nps_score"], 10);
  EXPECT_EQ(signals["nps_group"], "promoter");
  EXPECT_EQ(signals["lifecycle"], "tester");

  auto text = RunCli({"--server", s, "lookup", "--card", "4242"});
  EXPECT_NE(text.out.find("tester, promoter (NPS 10)"), std::string::npos) << text.out;

  // A score the CLI can tell is wrong never reaches the server.
  auto bad = testing::RunCliWithStderr({"--server", s, "feedback", "--txn", "F-2", "--store", "S1",
                                        "--card", "4242", "--score", "11"},
                                       dir_.Sub("cli.err"));
  EXPECT_EQ(bad.exit_code, 2);  // bad usage
  EXPECT_NE(bad.err.find("--score"), std::string::npos) << bad.err;
  EXPECT_EQ(nlohmann::json::parse(RunCli({"--server", s, "--json", "lookup", "--card", "4242"})
                                      .out)["profile"]["signals"]["nps_score"],
            10);
}

}  // namespace
}  // namespace loyalty
