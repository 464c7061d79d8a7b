// Freshness under load: how long from a commit to its snapshot being
// readable in Redis, at half of the engine's maximum load on this machine.
// A measurement, printed for docs/BENCHMARKS.md; it asserts only
// correctness (no failed sale, coherence), never a timing.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "tests/adapters/redis/engine_harness.h"

namespace loyalty::testing {
namespace {

constexpr int kCards = 2'000;

struct Phase {
  double rate_per_s = 0;
  LoadTotals totals;
  redis::PublisherCounters counters;
};

Phase RunPhase(const RedisServer& redis, int clients, double rate_per_s, int ms, uint64_t seed) {
  // A measurement, not a test of time-outs: a round trip held up 100 ms by
  // a busy machine (a build beside it) would count as a failure and drop
  // the connection (it did once in a CI run at load 7).
  redis::PublisherOptions options = TestPublisherOptions(redis);
  options.command_timeout_ms = 2'000;
  EngineHarness engine(options);
  EXPECT_TRUE(engine.publisher().WaitUntilIdle(10'000));
  const auto start = std::chrono::steady_clock::now();
  BackgroundLoad load(engine, clients, kCards, seed, rate_per_s);
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  Phase p;
  p.totals = load.Stop();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  p.rate_per_s = static_cast<double>(p.totals.answered + p.totals.failed) / seconds;
  EXPECT_TRUE(engine.publisher().WaitUntilIdle(10'000));
  p.counters = engine.publisher().counters();
  return p;
}

void Print(const char* name, const Phase& p) {
  std::printf(
      "%-22s %7.0f sales/s | sale p50 %6lld us p99 %6lld us | commit->readable in Redis "
      "p50 %6lld us p99 %6lld us (%llu samples)\n",
      name, p.rate_per_s, static_cast<long long>(PercentileUs(p.totals.latencies_us, 500)),
      static_cast<long long>(PercentileUs(p.totals.latencies_us, 990)),
      static_cast<long long>(p.counters.lag_p50_us), static_cast<long long>(p.counters.lag_p99_us),
      static_cast<unsigned long long>(p.counters.lag_samples));
}

TEST(RedisLagBenchmark, CommitToReadableLagAtHalfOfTheMaximumLoad) {
  RedisServer redis;
  ASSERT_TRUE(redis.ok()) << redis.error();
  const Phase max = RunPhase(redis, 16, 0, 2'000, 1);
  const Phase half = RunPhase(redis, 8, max.rate_per_s / 2, 3'000, 2);
  std::printf(
      "machine: %u hardware threads; 2 shards, WAL fsync on, 16 closed-loop clients for "
      "the maximum, 8 paced clients for half\n",
      std::thread::hardware_concurrency());
  Print("maximum (saturated)", max);
  Print("half of maximum", half);
  EXPECT_EQ(max.totals.failed + half.totals.failed, 0u);
  EXPECT_EQ(half.counters.errors, 0u);
  EXPECT_GT(half.counters.lag_samples, 0u);
}

}  // namespace
}  // namespace loyalty::testing
