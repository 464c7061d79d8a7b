// The pipeline's periodic sweep against a real store: a customer who never
// comes back still has their points expired (and written to the ledger), and
// only customers with something due are visited.
#include <gtest/gtest.h>

#include <atomic>
#include <future>

#include "adapters/rocksdb/store.h"
#include "tests/support/requests.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wired_runtime.h"

namespace loyalty {
namespace {

TEST(SweepTest, ExpiresThePointsOfCustomersWhoNeverComeBack) {
  testing::TempDir dir;
  StoreOptions store_options;
  store_options.path = dir.Sub("db");
  auto store = Store::Open(store_options);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto rules = std::make_shared<RuleSet>();
  rules->program.expiry_days = 1;  // rolling: gone at the second midnight
  std::atomic<TimeMs> now{testing::kEventTimeMs};
  RuntimeOptions options;
  options.sweep_interval_ms = 0;  // the test calls SweepDue itself
  {
    testing::WiredRuntime pipeline(**store, rules, options, [&] { return now.load(); });
    ASSERT_TRUE(pipeline.status().ok());
    auto buy = [&](const std::string& txn, const std::string& card) {
      std::promise<std::string> answered;
      pipeline.Handle(testing::WirePurchase(txn, card, 2500),
                      [&](std::string bytes) { answered.set_value(std::move(bytes)); });
      v1::Reply reply;
      ASSERT_TRUE(reply.ParseFromString(answered.get_future().get()));
      ASSERT_EQ(reply.decision().points_earned(), 25) << reply.DebugString();
    };
    buy("T-1", "C1");
    now = testing::kEventTimeMs + 3 * kMsPerDay;
    auto nothing_due = pipeline.SweepDue(testing::kEventTimeMs);
    ASSERT_TRUE(nothing_due.ok());
    EXPECT_EQ(*nothing_due, 0u);
    auto queued = pipeline.SweepDue(now);
    ASSERT_TRUE(queued.ok());
    EXPECT_EQ(*queued, 1u);
    pipeline.Stop();  // answers (and commits) everything queued
    EXPECT_EQ(pipeline.stats().swept, 1u);
  }
  auto c1 = (*store)->GetCustomer("C1");
  ASSERT_TRUE(c1.ok() && c1->has_value());
  EXPECT_TRUE((*c1)->lots.empty());
  EXPECT_EQ((*c1)->balance(), 0);
  std::vector<LedgerEntry> ledger;
  ASSERT_TRUE((*store)
                  ->ForEachLedgerEntry("C1",
                                       [&](const LedgerEntry& e) {
                                         ledger.push_back(e);
                                         return Status::Ok();
                                       })
                  .ok());
  ASSERT_EQ(ledger.size(), 2u);
  EXPECT_EQ(ledger[1].kind, LedgerKind::kExpire);
  EXPECT_EQ(ledger[1].points, -25);
}

}  // namespace
}  // namespace loyalty
