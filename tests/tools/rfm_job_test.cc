// loyaltyd's RFM job against a real store and pipeline: once it has run,
// decisions score customers against the population (an earn rule for the
// top spenders starts to pay), and the quantiles it stored are there at
// once after a restart.
#include "tools/wiring/rfm_job.h"

#include <gtest/gtest.h>

#include <functional>
#include <future>

#include "adapters/rocksdb/store.h"
#include "tests/support/requests.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wired_runtime.h"

namespace loyalty {
namespace {

// A bonus for customers in the top fifth by money spent (RFM M = 5).
std::shared_ptr<RuleSet> TopSpenderRules() {
  auto rules = std::make_shared<RuleSet>();
  Segment top;
  top.id = "top";
  top.when.rfm_monetary_min = 5;
  rules->segments.push_back(top);
  EarnRule bonus;
  bonus.id = "top-bonus";
  bonus.segments = {"top"};
  bonus.bonus_points = 100;
  rules->earn_rules.push_back(bonus);
  return rules;
}

int64_t PointsOf(testing::WiredRuntime& pipeline, const std::string& txn, const std::string& card,
                 int64_t total_minor) {
  std::promise<std::string> answered;
  pipeline.Handle(testing::WirePurchase(txn, card, total_minor),
                  [&](std::string bytes) { answered.set_value(std::move(bytes)); });
  v1::Reply reply;
  EXPECT_TRUE(reply.ParseFromString(answered.get_future().get()));
  EXPECT_TRUE(reply.has_decision()) << reply.DebugString();
  return reply.decision().points_earned();
}

TEST(RfmJobTest, DecisionsScoreAgainstTheQuantilesAndARestartHasThemAtOnce) {
  testing::TempDir dir;
  StoreOptions store_options;
  store_options.path = dir.Sub("db");
  RuntimeOptions options;
  options.sweep_interval_ms = 0;
  auto clock = [] { return testing::kEventTimeMs + kMsPerDay; };
  RfmQuantiles computed;
  {
    auto store = Store::Open(store_options);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    testing::WiredRuntime pipeline(**store, TopSpenderRules(), options, clock);
    RfmJob job(**store, pipeline, 0, clock);
    ASSERT_TRUE(job.LoadStored().ok());
    EXPECT_EQ(pipeline.rfm(), nullptr);  // nothing computed yet
    for (int i = 1; i <= 5; ++i) {
      PointsOf(pipeline, "T-" + std::to_string(i), "C" + std::to_string(i), 1'000 * i);
    }
    // Without quantiles no one has an RFM score: no bonus.
    EXPECT_EQ(PointsOf(pipeline, "T-6", "C5", 1'000), 10);
    auto q = job.Recompute();
    ASSERT_TRUE(q.ok()) << q.status().ToString();
    EXPECT_EQ(q->customers, 5u);
    EXPECT_EQ(q->monetary_minor, (std::array<int64_t, 4>{2'000, 3'000, 4'000, 6'000}));
    ASSERT_NE(pipeline.rfm(), nullptr);
    EXPECT_EQ(*pipeline.rfm(), *q);
    EXPECT_EQ(job.computed_ms(), clock());
    // C5 (60.00 spent, the best fifth) is in "top" now; C1 is not.
    EXPECT_EQ(PointsOf(pipeline, "T-7", "C5", 1'000), 10 + 100);
    EXPECT_EQ(PointsOf(pipeline, "T-8", "C1", 1'000), 10);
    computed = *q;
    pipeline.Stop();
  }
  auto store = Store::Open(store_options);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  testing::WiredRuntime pipeline(**store, TopSpenderRules(), options, clock);
  RfmJob job(**store, pipeline, 0, clock);
  ASSERT_TRUE(job.LoadStored().ok());
  ASSERT_NE(pipeline.rfm(), nullptr);
  EXPECT_EQ(*pipeline.rfm(), computed);
  EXPECT_EQ(job.computed_ms(), clock());
  EXPECT_EQ(PointsOf(pipeline, "T-9", "C5", 1'000), 10 + 100);
}

// A fresh store in `dir`, and runtime options without the periodic sweep.
std::unique_ptr<Store> OpenStore(const testing::TempDir& dir) {
  StoreOptions store_options;
  store_options.path = dir.Sub("db");
  auto store = Store::Open(store_options);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(*store) : nullptr;
}
RuntimeOptions NoSweep() {
  RuntimeOptions options;
  options.sweep_interval_ms = 0;
  return options;
}

// Whether `done` holds within 20 s, asked every 5 ms.
bool WaitFor(const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return done();
}

TEST(RfmJobTest, StartRunsOnceAtOnceAndStopJoins) {
  testing::TempDir dir;
  auto store = OpenStore(dir);
  ASSERT_NE(store, nullptr);
  auto clock = [] { return testing::kEventTimeMs; };
  testing::WiredRuntime pipeline(*store, std::make_shared<RuleSet>(), NoSweep(), clock);
  PointsOf(pipeline, "T-1", "C1", 1'000);
  RfmJob job(*store, pipeline, 3'600'000, clock);
  job.Start();
  const bool ran = WaitFor([&] { return pipeline.rfm() != nullptr; });
  job.Stop();  // does not wait for the hour
  ASSERT_TRUE(ran);
  EXPECT_EQ(pipeline.rfm()->customers, 1u);
}

// A bulk load (a replay of past sales into a fresh store): the job notices
// that the population moved and scores it as soon as the load ends, without
// waiting for the hourly run.
TEST(RfmJobTest, AfterABulkLoadTheQuantilesAreRecomputedWithoutWaitingForTheHour) {
  testing::TempDir dir;
  auto store = OpenStore(dir);
  ASSERT_NE(store, nullptr);
  auto clock = [] { return testing::kEventTimeMs + kMsPerDay; };
  testing::WiredRuntime pipeline(*store, TopSpenderRules(), NoSweep(), clock);
  RfmJob job(*store, pipeline, 3'600'000, clock, /*check_ms=*/20);
  job.Start();
  ASSERT_TRUE(WaitFor([&] { return pipeline.rfm() != nullptr; }));  // the run at start
  EXPECT_EQ(pipeline.rfm()->customers, 0u);
  for (int i = 1; i <= 12; ++i) {  // twelve customers, the last the biggest spender
    PointsOf(pipeline, "T-" + std::to_string(i), "C" + std::to_string(i), 1'000 * i);
  }
  EXPECT_TRUE(WaitFor([&] { return pipeline.rfm()->customers == 12; }))
      << pipeline.rfm()->customers;
  EXPECT_TRUE(pipeline.rfm()->scores());
  EXPECT_EQ(PointsOf(pipeline, "T-13", "C12", 1'000), 10 + 100);  // top spender: scored at once
  job.Stop();
}

}  // namespace
}  // namespace loyalty
