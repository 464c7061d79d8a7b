// Redis dies or hangs in the middle of a load: no sale fails or waits for
// it, and once Redis is back every snapshot equals the store again.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "tests/adapters/redis/engine_harness.h"

namespace loyalty::testing {
namespace {

constexpr int kClients = 4;
constexpr int kCards = 400;

void Sleep(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

void Print(const char* phase, const LoadTotals& window) {
  std::printf("%-14s %6zu sales, latency p50 %6lld us, p99 %6lld us\n", phase,
              window.latencies_us.size(),
              static_cast<long long>(PercentileUs(window.latencies_us, 500)),
              static_cast<long long>(PercentileUs(window.latencies_us, 990)));
}

TEST(RedisOutageTest, KillingRedisMidLoadFailsNoSaleAndRestartRestoresCoherence) {
  RedisServer redis;
  ASSERT_TRUE(redis.ok()) << redis.error();
  EngineHarness engine(TestPublisherOptions(redis));
  BackgroundLoad load(engine, kClients, kCards, 100);
  Sleep(700);
  Print("redis up", load.TakeWindow());
  redis.Kill();
  Sleep(1000);
  const LoadTotals down = load.TakeWindow();
  Print("redis killed", down);
  EXPECT_GT(down.latencies_us.size(), 50u);  // sales went on
  const redis::PublisherCounters during = engine.publisher().counters();
  EXPECT_FALSE(during.cache_up);
  EXPECT_GT(during.dirty_marked, 0u);
  ASSERT_TRUE(redis.Restart()) << redis.error();
  Sleep(700);
  Print("redis back", load.TakeWindow());
  const LoadTotals totals = load.Stop();
  EXPECT_EQ(totals.failed, 0u);

  ExpectCoherent(engine, redis, 100);
  const redis::PublisherCounters c = engine.publisher().counters();
  EXPECT_TRUE(c.cache_up);
  EXPECT_GE(c.resyncs, 2u);  // at startup, and when Redis came back empty
  EXPECT_GT(c.errors, 0u);
}

TEST(RedisOutageTest, AHungRedisDoesNotSlowSalesAndDirtyCustomersAreRepublishedOnSigcont) {
  RedisServer redis;
  ASSERT_TRUE(redis.ok()) << redis.error();
  EngineHarness engine(TestPublisherOptions(redis));
  BackgroundLoad load(engine, kClients, kCards, 200);
  Sleep(1000);
  const LoadTotals normal = load.TakeWindow();
  redis.Pause();
  Sleep(1500);
  const LoadTotals hung = load.TakeWindow();
  const redis::PublisherCounters during = engine.publisher().counters();
  redis.Resume();
  Sleep(500);
  const LoadTotals totals = load.Stop();
  Print("redis up", normal);
  Print("redis stopped", hung);
  EXPECT_EQ(totals.failed, 0u);
  EXPECT_FALSE(during.cache_up);
  // Shards never wait on Redis: the hang must not show in sale latency. The
  // bound is generous (a busy 2-core machine is noisy); figures are printed.
  const int64_t normal_p99 = PercentileUs(normal.latencies_us, 990);
  EXPECT_LE(PercentileUs(hung.latencies_us, 990), 2 * normal_p99 + 100'000);
  EXPECT_GT(hung.latencies_us.size(), normal.latencies_us.size() / 4);

  ExpectCoherent(engine, redis, 100);
  const redis::PublisherCounters c = engine.publisher().counters();
  EXPECT_GT(c.dirty_marked, 0u);
  EXPECT_GT(c.republished, 0u);
  EXPECT_EQ(c.resyncs, 1u);  // Redis kept its data: dirty customers only, no resync
}

}  // namespace
}  // namespace loyalty::testing
