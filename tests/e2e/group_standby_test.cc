// Lookups on a standby (issue 18, standby_lookups: on): a real ZooKeeper and
// three real loyaltyd nodes on loopback (group_fixture.h).
#include <gtest/gtest.h>
#include <signal.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>

#include "adapters/net/failover_client.h"
#include "tests/e2e/group_fixture.h"
#include "tests/support/http_client.h"
#include "tests/support/pki.h"
#include "tests/support/requests.h"
#include "tests/support/server_process.h"
#include "tests/support/wait_for.h"

namespace loyalty {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::GroupFixture;

// A standby with standby_lookups: on answers a till's lookups from its own
// copy, saying how far the copy had got (Profile.replica); writes still go
// to the primary (NOT_PRIMARY), and a standby without it redirects lookups
// too. The copy follows the primary: a sale on the primary shows on the
// standby, at a later batch.
TEST(GroupTest, AStandbyAnswersLookupsFromItsCopyAndSaysHowFarItHadGot) {
  GroupFixture group;
  ASSERT_TRUE(group.zk_ok()) << group.zk_error();
  auto& nodes = group.nodes();
  ASSERT_TRUE(group.Start(0));
  ASSERT_TRUE(testing::WaitFor([&] { return group.Primary() == 0; }, 20s));
  ASSERT_TRUE(group.Start(1, {"--standby-lookups", "on"})) << nodes[1].process->Stderr();
  ASSERT_TRUE(group.Start(2));
  ASSERT_TRUE(testing::WaitFor([&] { return group.CaughtUp(2); }, 30s)) << group.Explain();

  auto primary = testing::ConnectAs(nodes[0].listen, "ops-test", 10'000);
  auto standby = testing::ConnectAs(nodes[1].listen, "ops-test", 10'000);
  auto plain = testing::ConnectAs(nodes[2].listen, "ops-test", 10'000);
  ASSERT_TRUE(primary.ok() && standby.ok() && plain.ok());
  const auto sell = [&](const std::string& txn, int64_t minor) {
    v1::Request sale = testing::WirePurchase(txn, "lookup-card", minor);
    sale.mutable_purchase()->set_event_time_ms(testing::WallClockMs());
    auto reply = (*primary)->Call(sale);
    EXPECT_TRUE(reply.ok() && reply->has_decision()) << reply->ShortDebugString();
    return reply.ok() && reply->has_decision() ? reply->decision().balances().balance() : -1;
  };
  // The standby's answer once it shows `balance`.
  const auto standby_shows = [&](int64_t balance) {
    std::optional<v1::Profile> seen;
    testing::WaitFor(
        [&] {
          auto reply = (*standby)->Call(testing::WireLookup("lookup-card"));
          if (!reply.ok() || !reply->has_profile()) return false;
          if (reply->profile().balances().balance() != balance) return false;
          seen = reply->profile();
          return true;
        },
        10s);
    return seen;
  };

  const int64_t first = sell("standby-lookup-1", 12'345);
  ASSERT_GT(first, 0);
  const auto at_first = standby_shows(first);
  ASSERT_TRUE(at_first.has_value()) << group.Explain();
  EXPECT_EQ(at_first->cards(0), "lookup-card");
  ASSERT_TRUE(at_first->has_replica());
  const v1::ReplicaView& r1 = at_first->replica();
  EXPECT_EQ(r1.node_id(), "n2");
  EXPECT_GT(r1.applied_seq(), 0u);
  EXPECT_GE(r1.primary_seq(), r1.applied_seq());
  EXPECT_LT(std::abs(r1.read_at_ms() - testing::WallClockMs()), 60'000);

  // The CLI says where an answer came from.
  const auto cli =
      testing::RunCli({"--server", nodes[1].listen, "lookup", "--card", "lookup-card"});
  EXPECT_EQ(cli.exit_code, 0) << cli.out;
  EXPECT_NE(cli.out.find("from standby n2's copy, read at "), std::string::npos) << cli.out;
  if (std::getenv("LOYALTY_GROUP_EXPLAIN")) std::printf("%s\n", cli.out.c_str());
  const auto cli_json =
      testing::RunCli({"--server", nodes[1].listen, "--json", "lookup", "--card", "lookup-card"});
  ASSERT_EQ(cli_json.exit_code, 0) << cli_json.out;
  const json copy = json::parse(cli_json.out)["profile"]["replica"];
  EXPECT_EQ(copy.value("node_id", ""), "n2") << cli_json.out;
  EXPECT_TRUE(copy.contains("read_at")) << cli_json.out;

  // What the operator sees of it.
  const json described = group.Cluster(1);
  ASSERT_TRUE(described.contains("standby_lookups")) << described.dump();
  EXPECT_TRUE(described["standby_lookups"].value("answering", false)) << described.dump();
  EXPECT_FALSE(group.Cluster(2).contains("standby_lookups"));
  const auto metrics_of = [&](size_t i) {
    const std::string& admin = nodes[i].admin;
    return testing::Http(std::stoi(admin.substr(admin.rfind(':') + 1)), "GET", "/metrics").body;
  };
  // Fresh: read within the last few seconds (a catch-up every 100 ms).
  const std::string fresh = metrics_of(1);
  const std::string gauge = "\nloyalty_standby_lookups_age_seconds ";
  const size_t at = fresh.find(gauge);
  ASSERT_NE(at, std::string::npos) << fresh;
  const double age = std::stod(fresh.substr(at + gauge.size()));
  EXPECT_GE(age, 0.0);
  EXPECT_LT(age, 5.0);
  EXPECT_NE(metrics_of(2).find("\nloyalty_standby_lookups_age_seconds -1\n"), std::string::npos);

  // The primary's own answer is not a copy's.
  auto from_primary = (*primary)->Call(testing::WireLookup("lookup-card"));
  ASSERT_TRUE(from_primary.ok() && from_primary->has_profile());
  EXPECT_FALSE(from_primary->profile().has_replica());
  EXPECT_EQ(from_primary->profile().version(), at_first->version());

  // The next sale shows on the standby, read at a later batch.
  const int64_t second = sell("standby-lookup-2", 6'789);
  ASSERT_GT(second, first);
  const auto at_second = standby_shows(second);
  ASSERT_TRUE(at_second.has_value()) << group.Explain();
  EXPECT_GT(at_second->replica().applied_seq(), r1.applied_seq());
  EXPECT_GT(at_second->version(), at_first->version());

  // Nobody's card: the copy says so, as the primary would.
  auto unknown = (*standby)->Call(testing::WireLookup("nobodys-card"));
  ASSERT_TRUE(unknown.ok() && unknown->has_error());
  EXPECT_EQ(unknown->error().code(), v1::UNKNOWN_CARD);
  // A sale on the standby: sent to the primary.
  v1::Request sale = testing::WirePurchase("on-the-standby", "lookup-card", 100);
  sale.mutable_purchase()->set_event_time_ms(testing::WallClockMs());
  auto refused = (*standby)->Call(sale);
  ASSERT_TRUE(refused.ok() && refused->has_error());
  EXPECT_EQ(refused->error().code(), v1::NOT_PRIMARY);
  EXPECT_EQ(refused->error().primary(), nodes[0].listen);
  // A standby without standby_lookups sends lookups to the primary too.
  auto redirected = (*plain)->Call(testing::WireLookup("lookup-card"));
  ASSERT_TRUE(redirected.ok() && redirected->has_error());
  EXPECT_EQ(redirected->error().code(), v1::NOT_PRIMARY);

  // The standby takes over: it answers from its store, as a primary.
  primary->reset();
  ASSERT_EQ(nodes[0].process->StopWith(SIGKILL), 128 + SIGKILL);
  ASSERT_TRUE(testing::WaitFor([&] { return group.Primary() > 0; }, 15s)) << group.Explain();
  net::FailoverClient till(group.Addresses(), testing::ClientOptionsFor("ops-test", 2000));
  std::optional<v1::Reply> after;
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        auto reply = till.Call(testing::WireLookup("lookup-card"), 5s);
        if (!reply.ok() || !reply->has_profile() || reply->profile().has_replica()) return false;
        after = *reply;
        return true;
      },
      15s))
      << group.Explain();
  EXPECT_EQ(after->profile().balances().balance(), second);
  const int now_primary = group.Primary();
  ASSERT_GT(now_primary, 0);
  const size_t other = now_primary == 1 ? 2 : 1;
  EXPECT_EQ(nodes[other].process->StopWith(SIGTERM), 0);
  EXPECT_EQ(nodes[static_cast<size_t>(now_primary)].process->StopWith(SIGTERM), 0);
}

}  // namespace
}  // namespace loyalty
