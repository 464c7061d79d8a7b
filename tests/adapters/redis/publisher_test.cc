// The publisher behind the real Runtime and RocksDB store, against a real
// redis-server: every snapshot ends equal to the stored state.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <thread>

#include "tests/adapters/redis/engine_harness.h"

namespace loyalty::testing {
namespace {

bool WaitUntilDown(const redis::Publisher& publisher) {
  for (int i = 0; i < 1000 && publisher.counters().cache_up; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return !publisher.counters().cache_up;
}

// Sends `n` random sales from one client; returns how many failed.
int SendSales(EngineHarness& engine, int n, int cards, uint64_t seed) {
  SaleGenerator sales(seed, "S" + std::to_string(seed) + "-", cards);
  int failed = 0;
  for (int i = 0; i < n; ++i) {
    v1::Request r = sales.Next();
    v1::Reply reply = engine.Call(r);
    if (!reply.has_decision()) ++failed;
    sales.Observe(r, reply);
  }
  return failed;
}

TEST(PublisherTest, ManyRandomSalesLeaveEverySnapshotEqualToTheStore) {
  RedisServer redis;
  ASSERT_TRUE(redis.ok()) << redis.error();
  EngineHarness engine(TestPublisherOptions(redis));
  BackgroundLoad load(engine, 6, 300, 42);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  const LoadTotals totals = load.Stop();
  EXPECT_EQ(totals.failed, 0u);
  EXPECT_GT(totals.answered, 300u);

  const auto last_commit = std::chrono::steady_clock::now();
  ASSERT_TRUE(engine.publisher().WaitUntilIdle(kSettleMs));
  const auto settle_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::steady_clock::now() - last_commit)
                             .count();
  ExpectCoherent(engine, redis, 100);
  const redis::PublisherCounters c = engine.publisher().counters();
  EXPECT_EQ(c.errors, 0u);
  EXPECT_EQ(c.refused, 0u);
  std::printf(
      "coherence: %llu sales, %llu snapshots, settled %lld ms after the last reply, "
      "lag p50 %lld us p99 %lld us\n",
      static_cast<unsigned long long>(totals.answered),
      static_cast<unsigned long long>(c.published), static_cast<long long>(settle_ms),
      static_cast<long long>(c.lag_p50_us), static_cast<long long>(c.lag_p99_us));
}

TEST(PublisherTest, AnOldSnapshotOfferedLateNeverReplacesTheNewerOne) {
  RedisServer redis;
  ASSERT_TRUE(redis.ok()) << redis.error();
  EngineHarness engine(TestPublisherOptions(redis));
  ASSERT_EQ(SendSales(engine, 1, 1, 7), 0);
  ASSERT_TRUE(engine.publisher().WaitUntilIdle(kSettleMs));
  auto first = engine.store().GetCustomer("C0");
  ASSERT_TRUE(first.ok() && first->has_value());
  ASSERT_EQ(SendSales(engine, 20, 1, 8), 0);
  ASSERT_TRUE(engine.publisher().WaitUntilIdle(kSettleMs));

  const uint64_t stale_before = engine.publisher().counters().stale_skipped;
  engine.publisher().OnCommit(**first, NowMs());  // an old state, arriving late
  ASSERT_TRUE(engine.publisher().WaitUntilIdle(kSettleMs));
  EXPECT_EQ(engine.publisher().counters().stale_skipped, stale_before + 1);
  ExpectCoherent(engine, redis, 1);
}

TEST(PublisherTest, SalesSucceedWithRedisDownFromTheStartAndAreResyncedWhenItComes) {
  RedisServer redis;
  ASSERT_TRUE(redis.ok()) << redis.error();
  redis.Kill();
  EngineHarness engine(TestPublisherOptions(redis));
  EXPECT_EQ(SendSales(engine, 200, 40, 9), 0);
  EXPECT_FALSE(engine.publisher().counters().cache_up);
  ASSERT_TRUE(redis.Restart()) << redis.error();
  ExpectCoherent(engine, redis, 20);
  EXPECT_EQ(engine.publisher().counters().resyncs, 1u);
  EXPECT_GT(engine.publisher().counters().errors, 0u);
}

TEST(PublisherTest, WhenTheBacklogIsFullCustomersAreMarkedDirtyAndRepublished) {
  RedisServer redis;
  ASSERT_TRUE(redis.ok()) << redis.error();
  redis::PublisherOptions options = TestPublisherOptions(redis);
  options.backlog_max = 2;
  options.batch_max = 1;
  options.command_timeout_ms = 5'000;  // a slow Redis, not a dead one
  EngineHarness engine(options);
  ASSERT_TRUE(engine.publisher().WaitUntilIdle(kSettleMs));  // the startup resync is done
  redis.Pause();  // the next write waits; commits fill the backlog meanwhile
  EXPECT_EQ(SendSales(engine, 60, 30, 10), 0);
  redis.Resume();
  ExpectCoherent(engine, redis, 10);
  const redis::PublisherCounters c = engine.publisher().counters();
  EXPECT_GT(c.dirty_marked, 0u);
  EXPECT_GT(c.republished, 0u);
  EXPECT_EQ(c.errors, 0u);
  EXPECT_EQ(c.resyncs, 1u);  // only the one at startup
}

TEST(PublisherTest, TooManyDirtyCustomersFallBackToAFullResync) {
  RedisServer redis;
  ASSERT_TRUE(redis.ok()) << redis.error();
  redis::PublisherOptions options = TestPublisherOptions(redis);
  options.dirty_max = 5;
  EngineHarness engine(options);
  ASSERT_EQ(SendSales(engine, 30, 30, 11), 0);
  ASSERT_TRUE(engine.publisher().WaitUntilIdle(kSettleMs));
  redis.Pause();  // Redis keeps its data: only a resync can be owed, not a lost cache
  EXPECT_EQ(SendSales(engine, 1, 30, 12), 0);  // a write that times out: the cache is down
  ASSERT_TRUE(WaitUntilDown(engine.publisher()));
  EXPECT_EQ(SendSales(engine, 100, 30, 13), 0);
  redis.Resume();
  ExpectCoherent(engine, redis, 20);
  const redis::PublisherCounters c = engine.publisher().counters();
  EXPECT_GE(c.dirty_overflows, 1u);
  EXPECT_EQ(c.resyncs, 2u);  // startup, then the overflow
}

}  // namespace
}  // namespace loyalty::testing
