// loyaltyd --clock event across restarts: "now" is the latest event time
// seen, and it never goes back to the wall clock's idea (2026 for sales of
// 2011, when every lot would be expired, or 0, when every lot is pending).
#include <gtest/gtest.h>
#include <signal.h>

#include "adapters/net/client.h"
#include "tests/support/pki.h"
#include "tests/support/requests.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace loyalty {
namespace {

using testing::ServerProcess;
using testing::TempDir;

constexpr int64_t kJan3_2011 = 1'294'012'800'000;  // 2011-01-03T00:00:00Z
constexpr int64_t kDay = 86'400'000;

ServerProcess Start(const std::string& data) {
  return ServerProcess(data, {"--rules", EXAMPLE_RULES_PATH, "--clock", "event"});
}

v1::Balances BalancesOf(const ServerProcess& server, const std::string& card) {
  auto c = testing::ConnectAs(server.address());
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  if (!c.ok()) return {};
  auto r = (*c)->Call(testing::WireLookup(card));
  EXPECT_TRUE(r.ok() && r->has_profile()) << (r.ok() ? r->DebugString() : r.status().ToString());
  return r.ok() ? r->profile().balances() : v1::Balances{};
}

void Buy(const ServerProcess& server, const std::string& txn, const std::string& card,
         int64_t at_ms) {
  auto c = testing::ConnectAs(server.address());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  auto r = (*c)->Call(testing::WirePurchase(txn, card, 10'000, at_ms));
  ASSERT_TRUE(r.ok() && r->has_decision()) << (r.ok() ? r->DebugString() : "");
  ASSERT_EQ(r->decision().outcome(), v1::APPLIED) << r->DebugString();
}

TEST(EventClockTest, NowNeverGoesBackAcrossACleanStopOrAKill) {
  TempDir dir;
  const std::string data = dir.Sub("db");
  {
    ServerProcess server = Start(data);
    ASSERT_TRUE(server.ok()) << server.Stderr();
    Buy(server, "T-1", "C1", kJan3_2011);              // pending for 14 days
    Buy(server, "T-2", "C2", kJan3_2011 + 20 * kDay);  // now: 20 days later
    const v1::Balances b = BalancesOf(server, "C1");
    ASSERT_GT(b.spendable(), 0);
    EXPECT_EQ(b.pending(), 0);
    EXPECT_EQ(server.StopWith(SIGTERM), 0) << server.Stderr();
  }
  {
    ServerProcess server = Start(data);
    ASSERT_TRUE(server.ok()) << server.Stderr();
    const v1::Balances b = BalancesOf(server, "C1");  // before any new event
    EXPECT_GT(b.spendable(), 0) << "now went back: the points are pending again";
    EXPECT_EQ(b.pending(), 0);
    // A kill -9 keeps nothing but the store: now is the latest purchase.
    Buy(server, "T-3", "C3", kJan3_2011 + 40 * kDay);
    EXPECT_EQ(server.StopWith(SIGKILL), 128 + SIGKILL);
  }
  ServerProcess server = Start(data);
  ASSERT_TRUE(server.ok()) << server.Stderr();
  // C3's points were earned 40 days in: pending until day 54, as of day 40.
  const v1::Balances c3 = BalancesOf(server, "C3");
  EXPECT_GT(c3.pending(), 0);
  EXPECT_GT(BalancesOf(server, "C1").spendable(), 0);
}

}  // namespace
}  // namespace loyalty
