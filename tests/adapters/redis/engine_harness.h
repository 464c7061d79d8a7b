// The engine as loyaltyd wires it, in process: a real RocksDB store in a temp
// dir, the real Runtime (2 shards, WAL fsync) and a redis::Publisher as its
// commit listener. Plus a random sale generator, a background load, and the
// coherence check (every snapshot in Redis equals the state in RocksDB).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "adapters/redis/publisher.h"
#include "adapters/redis/reader.h"
#include "adapters/rocksdb/store.h"
#include "loyalty/v1/wire.pb.h"
#include "tests/adapters/redis/redis_server.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wired_runtime.h"

namespace loyalty::testing {

TimeMs NowMs();

// Short timeouts and backoff so outages resolve in tests within a second.
redis::PublisherOptions TestPublisherOptions(const RedisServer& redis);

class EngineHarness {
 public:
  explicit EngineHarness(redis::PublisherOptions options, std::size_t shards = 2);
  ~EngineHarness();  // stops the pipeline, then the publisher

  // Sends one request and waits for its reply (parsed).
  v1::Reply Call(v1::Request request);
  Store& store() { return *store_; }
  redis::Publisher& publisher() { return *publisher_; }
  const redis::PublisherOptions& options() const { return options_; }

 private:
  TempDir dir_;
  redis::PublisherOptions options_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<redis::Publisher> publisher_;
  std::unique_ptr<testing::WiredRuntime> pipeline_;
};

// Random purchases, returns of its own earlier purchases and redemptions over
// `cards` cards named PREFIX-0..N-1. Not thread-safe: one per client thread.
class SaleGenerator {
 public:
  SaleGenerator(uint64_t seed, std::string txn_prefix, int cards);
  v1::Request Next();
  void Observe(const v1::Request& request, const v1::Reply& reply);

 private:
  v1::Request Purchase(const std::string& card);
  std::mt19937_64 rng_;
  std::string txn_prefix_;
  int cards_;
  uint64_t next_txn_ = 0;
  std::vector<std::pair<std::string, std::string>> purchases_;  // txn, card
  std::vector<std::string> known_cards_;
};

struct LoadTotals {
  uint64_t answered = 0;  // decisions: applied or a business refusal
  uint64_t failed = 0;    // error replies
  std::vector<int64_t> latencies_us;
};

// `clients` threads sending random sales until Stop: as fast as replies come,
// or, with `rate_per_s`, paced to that many sales a second in all.
class BackgroundLoad {
 public:
  BackgroundLoad(EngineHarness& engine, int clients, int cards, uint64_t seed,
                 double rate_per_s = 0);
  ~BackgroundLoad();
  // Latencies since the last call (and the totals so far).
  LoadTotals TakeWindow();
  LoadTotals Stop();

 private:
  void Client(int index, uint64_t seed, int cards);
  EngineHarness& engine_;
  std::chrono::microseconds interval_{0};  // per client; 0: no pacing
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  LoadTotals totals_;
  std::vector<int64_t> window_;
  std::vector<std::thread> threads_;
};

int64_t PercentileUs(std::vector<int64_t> samples, int permille);

// Waits for the publisher to be idle (at most kSettleMs), then expects no
// Incoherences over at least `min_customers` customers.
inline constexpr int64_t kSettleMs = 10'000;  // generous: Redis catches up well before
void ExpectCoherent(EngineHarness& engine, const RedisServer& redis, std::size_t min_customers);

// Differences between RocksDB and Redis: a missing or different snapshot
// for a customer, or a card key not pointing at its customer. Empty means
// coherent. `customers` gets how many customers were compared.
std::vector<std::string> Incoherences(const Store& store, const RedisServer& redis,
                                      const std::string& key_prefix, std::size_t* customers);

}  // namespace loyalty::testing
