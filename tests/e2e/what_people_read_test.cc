// What a cashier reads from the CLI (issue 19): money in the program's
// currency, dates in the program's time zone, counts with the right plural;
// the JSON keeps minor units and milliseconds and adds ISO dates beside them.
// The example rules: EUR, utc_offset +01:00, 14 pending days, rolling expiry.
#include <gtest/gtest.h>

#include <ctime>
#include <nlohmann/json.hpp>

#include "tests/support/requests.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace loyalty {
namespace {

using testing::RunCli;
using testing::ServerProcess;
using testing::TempDir;

constexpr int64_t kOffsetMs = 60 * 60'000;  // the example rules' +01:00

// The program's day of `ms`, worked out here with the C library, not with
// the code under test.
std::string LocalDate(int64_t ms) {
  const std::time_t t = static_cast<std::time_t>((ms + kOffsetMs) / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

class WhatPeopleReadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(
        dir_.Sub("db"), std::vector<std::string>{"--rules", EXAMPLE_RULES_PATH});
    ASSERT_TRUE(server_->ok()) << server_->Stderr();
    s_ = server_->address();
    auto bought = RunCli({"--server", s_, "purchase", "--txn", "T-1", "--store", "S1", "--card",
                          "4242", "--line", "TOY-7,toys,2,5.00", "--line", "B1,school,1,9.26"});
    ASSERT_EQ(bought.exit_code, 0) << bought.out;
    EXPECT_NE(bought.out.find("applied: +19 points"), std::string::npos) << bought.out;
  }
  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::string s_;
};

TEST_F(WhatPeopleReadTest, TheTextLookupShowsMoneyAndDatesNeverMinorUnits) {
  const auto json = nlohmann::json::parse(
      RunCli({"--server", s_, "--json", "lookup", "--card", "4242"}).out)["profile"];
  const auto text = RunCli({"--server", s_, "lookup", "--card", "4242"}).out;
  EXPECT_EQ(text.find("minor units"), std::string::npos) << text;
  EXPECT_NE(text.find(", 1 visit\n"), std::string::npos) << text;
  EXPECT_NE(text.find("worth 19.26 EUR (revenue 19.26 EUR, returns 0.00 EUR"), std::string::npos)
      << text;
  EXPECT_NE(text.find("basket 19.26 EUR, 3.0 items"), std::string::npos) << text;
  // Pending for the 14-day return window, then expiring a year on.
  const int64_t release_ms = json["next_release_ms"];
  ASSERT_GT(release_ms, 0) << json.dump();
  EXPECT_NE(text.find("19 points spendable from " + LocalDate(release_ms)), std::string::npos)
      << text;
  const int64_t expiry_ms = json["next_expiry_ms"];
  ASSERT_GT(expiry_ms, 0) << json.dump();
  EXPECT_NE(text.find("19 points expire on " + LocalDate(expiry_ms)), std::string::npos) << text;
}

TEST_F(WhatPeopleReadTest, TheJsonKeepsMillisecondsAndAddsIsoDatesInTheProgramsZone) {
  const auto profile = nlohmann::json::parse(
      RunCli({"--server", s_, "--json", "lookup", "--card", "4242"}).out)["profile"];
  EXPECT_EQ(profile["next_release_points"], 19);
  EXPECT_EQ(profile["next_release_date"], LocalDate(profile["next_release_ms"]));
  EXPECT_EQ(profile["next_expiry_points"], 19);
  EXPECT_EQ(profile["next_expiry_date"], LocalDate(profile["next_expiry_ms"]));
  EXPECT_EQ(profile["last_purchase_date"], LocalDate(profile["last_purchase_ms"]));
  EXPECT_EQ(profile["currency"], "EUR");
  EXPECT_EQ(profile["spend_minor"], 1926);  // minor units stay for scripts
  const std::string at = profile["next_expiry_at"];
  EXPECT_EQ(at.substr(0, 10), LocalDate(profile["next_expiry_ms"]));
  EXPECT_EQ(at.substr(at.size() - 6), "+01:00") << at;
}

// A till that resends a sale (it never heard the answer) is told the first
// answer again, marked as a retry: the text says "already applied", the JSON
// has "replayed": true beside the same decision.
TEST_F(WhatPeopleReadTest, ARetryIsToldAsAlreadyAppliedInTextAndJson) {
  const std::vector<std::string> sale = {
      "purchase",        "--txn", "T-1",    "--store",           "S1",
      "--card",          "4242",  "--line", "TOY-7,toys,2,5.00", "--line",
      "B1,school,1,9.26"};
  std::vector<std::string> text_args = {"--server", s_};
  text_args.insert(text_args.end(), sale.begin(), sale.end());
  const auto again = RunCli(text_args);
  EXPECT_EQ(again.exit_code, 0) << again.out;
  EXPECT_EQ(
      again.out.rfind("already applied (a retry: nothing changed now): applied: +19 points", 0), 0u)
      << again.out;
  std::vector<std::string> json_args = {"--server", s_, "--json"};
  json_args.insert(json_args.end(), sale.begin(), sale.end());
  const auto j = nlohmann::json::parse(RunCli(json_args).out);
  EXPECT_EQ(j["replayed"], true) << j.dump();
  EXPECT_EQ(j["decision"]["points_earned"], 19);
  const auto fresh =
      nlohmann::json::parse(RunCli({"--server", s_, "--json", "purchase", "--txn", "T-2", "--store",
                                    "S1", "--card", "4242", "--amount", "1.00"})
                                .out);
  EXPECT_EQ(fresh["replayed"], false) << fresh.dump();
}

// A till back from an outage sends a sale two days late; the card it
// enrolled has been a member since the sale ("member for 2 days", not "for
// less than a day"), and the JSON's enrolment date is the sale's.
TEST_F(WhatPeopleReadTest, ACardEnrolledByALateSaleIsAMemberSinceTheSale) {
  const int64_t sold_ms = testing::WallClockMs() - 2 * 86'400'000 - 60'000;
  auto late = RunCli({"--server", s_, "purchase", "--txn", "L-1", "--store", "S1", "--card", "5151",
                      "--amount", "3.00", "--time-ms", std::to_string(sold_ms)});
  ASSERT_EQ(late.exit_code, 0) << late.out;
  const auto text = RunCli({"--server", s_, "lookup", "--card", "5151"}).out;
  EXPECT_NE(text.find("member for 2 days"), std::string::npos) << text;
  const auto json = nlohmann::json::parse(
      RunCli({"--server", s_, "--json", "lookup", "--card", "5151"}).out)["profile"];
  EXPECT_EQ(json["enrolled_at_ms"], sold_ms);
  EXPECT_EQ(json["enrolled_date"], LocalDate(sold_ms));
}

TEST_F(WhatPeopleReadTest, AReturnLineMayBeJustSkuAndQuantity) {
  auto returned = RunCli({"--server", s_, "return", "--txn", "R-1", "--original", "T-1", "--store",
                          "S1", "--card", "4242", "--line", "TOY-7,1"});
  EXPECT_EQ(returned.exit_code, 0) << returned.out;
  EXPECT_NE(returned.out.find("applied: -5 points reversed"), std::string::npos) << returned.out;
  auto bad =
      testing::RunCliWithStderr({"--server", s_, "return", "--txn", "R-2", "--original", "T-1",
                                 "--store", "S1", "--card", "4242", "--line", "TOY-7,one"},
                                dir_.Sub("cli.err"));
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("quantity 'one' is not a whole number"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace loyalty
