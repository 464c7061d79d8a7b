// The rulebook through the real loyaltyd: a campaign budget under many
// registers at once (and across a restart), manual adjustments and
// redemption cancels over the wire, and a rules swap on SIGHUP that keeps
// connections and sales going.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <thread>

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

void Write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

int64_t AwardOf(const v1::Reply& r, const std::string& rule) {
  for (const auto& a : r.decision().awards()) {
    if (a.rule_id() == rule) return a.points();
  }
  return 0;
}

TEST(RulebookE2eTest, ABudgetIsNeverOvershotByManyRegistersAtOnce) {
  TempDir dir;
  const std::string rules = dir.Sub("rules.yaml");
  Write(rules,
        "program: { currency: EUR }\n"
        "earn_rules:\n"
        "  - { id: launch, bonus_points: 7, budget_points: 1000 }\n");
  std::atomic<int64_t> awarded{0};
  std::atomic<int> applied{0};
  {
    ServerProcess server(dir.Sub("db"), {"--rules", rules, "--shards", "4"});
    ASSERT_TRUE(server.ok()) << server.Stderr();
    std::vector<std::thread> registers;
    for (int t = 0; t < 8; ++t) {
      registers.emplace_back([&, t] {
        auto c = testing::ConnectAs(server.address());
        ASSERT_TRUE(c.ok());
        for (int i = 0; i < 100; ++i) {
          const std::string id = std::to_string(t) + "-" + std::to_string(i);
          auto r =
              (*c)->Call(testing::WirePurchase("T-" + id, "C-" + id, 500, testing::WallClockMs()));
          ASSERT_TRUE(r.ok() && r->has_decision()) << (r.ok() ? r->DebugString() : "");
          if (r->decision().outcome() == v1::APPLIED) applied += 1;
          awarded += AwardOf(*r, "launch");
        }
      });
    }
    for (auto& r : registers) r.join();
  }
  EXPECT_EQ(applied.load(), 800);
  EXPECT_EQ(awarded.load(), 1000);  // 800 baskets asked for 5,600; the budget is 1,000

  // After a restart the budget is still spent.
  ServerProcess again(dir.Sub("db"), {"--rules", rules, "--shards", "2"});
  ASSERT_TRUE(again.ok()) << again.Stderr();
  auto c = testing::ConnectAs(again.address());
  ASSERT_TRUE(c.ok());
  auto r = (*c)->Call(testing::WirePurchase("T-after", "C-after", 500, testing::WallClockMs()));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->decision().outcome(), v1::APPLIED);
  EXPECT_EQ(AwardOf(*r, "launch"), 0);
}

TEST(RulebookE2eTest, AdjustAndCancelThroughTheCliKeepTheLedgerExact) {
  TempDir dir;
  const std::string rules = dir.Sub("rules.yaml");
  Write(rules,
        "program: { currency: EUR, redemption: { min_points: 10 } }\n"
        "tiers: [{ id: member }, { id: patron, invitation_only: true }]\n");
  {
    ServerProcess server(dir.Sub("db"), {"--rules", rules});
    ASSERT_TRUE(server.ok()) << server.Stderr();
    const std::string s = server.address();
    EXPECT_EQ(RunCli({"--server", s, "purchase", "--txn", "T-1", "--store", "S1", "--card", "4242",
                      "--amount", "100.00"})
                  .exit_code,
              0);
    auto adj =
        RunCli({"--server", s, "--json", "adjust", "--txn", "A-1", "--card", "4242", "--points",
                "-30", "--reason", "correction", "--operator", "agent7", "--tier", "patron"});
    EXPECT_EQ(adj.exit_code, 0) << adj.out;
    EXPECT_NE(adj.out.find("\"tier\":\"patron\""), std::string::npos) << adj.out;
    EXPECT_NE(adj.out.find("\"previous_tier\":\"member\""), std::string::npos) << adj.out;
    EXPECT_EQ(RunCli({"--server", s, "redeem", "--txn", "D-1", "--store", "S1", "--card", "4242",
                      "--points", "50", "--basket", "10.00"})
                  .exit_code,
              0);
    auto cancel = RunCli({"--server", s, "cancel-redeem", "--txn", "X-1", "--store", "S1", "--card",
                          "4242", "--original", "D-1"});
    EXPECT_EQ(cancel.exit_code, 0) << cancel.out;
    EXPECT_NE(cancel.out.find("+50 points given back"), std::string::npos) << cancel.out;
    auto again = RunCli({"--server", s, "cancel-redeem", "--txn", "X-2", "--store", "S1", "--card",
                         "4242", "--original", "D-1"});
    EXPECT_EQ(again.exit_code, 1);
    EXPECT_NE(again.out.find("already_cancelled"), std::string::npos) << again.out;
    auto look = RunCli({"--server", s, "lookup", "--card", "4242"});
    EXPECT_NE(look.out.find("balance 70"), std::string::npos) << look.out;
  }
  auto check = RunCli({"check", "--data-dir", dir.Sub("db")});
  EXPECT_EQ(check.exit_code, 0) << check.out;
}

TEST(RulebookE2eTest, SighupSwapsRulesWithoutDroppingTheConnection) {
  TempDir dir;
  const std::string rules = dir.Sub("rules.yaml");
  Write(rules, "version: 1\nprogram: { currency: EUR }\n");
  ServerProcess server(dir.Sub("db"), {"--rules", rules});
  ASSERT_TRUE(server.ok()) << server.Stderr();
  auto c = testing::ConnectAs(server.address());
  ASSERT_TRUE(c.ok());
  auto before = (*c)->Call(testing::WirePurchase("T-1", "C1", 1000, testing::WallClockMs()));
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->decision().points_earned(), 10);
  const uint32_t v1 = before->decision().rules_version();

  Write(rules,
        "version: 2\nprogram: { currency: EUR }\n"
        "earn_rules: [{ id: double, multiplier: 2 }]\n");
  ASSERT_EQ(kill(server.pid(), SIGHUP), 0);
  // Sales go on over the same connection while the rules swap; the first
  // decision under the new version earns double.
  int64_t earned = 0;
  uint32_t version = v1;
  for (int i = 0; i < 2000 && version == v1; ++i) {
    auto r = (*c)->Call(
        testing::WirePurchase("T-" + std::to_string(i + 2), "C1", 1000, testing::WallClockMs()));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->decision().outcome(), v1::APPLIED);
    version = r->decision().rules_version();
    earned = r->decision().points_earned();
    if (version == v1) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_NE(version, v1);
  EXPECT_EQ(earned, 20);
}

}  // namespace
}  // namespace loyalty
