// RfmJob: the periodic job that computes the RFM population quantiles
// (engine/rfm.h) from every customer in the store and hands them to the
// runtime, so every decision and lookup scores its customer against them
// (DESIGN.md §8). It runs at Start (after handing over the stored ones, so a
// restart scores at once), then every `interval_ms`, and on demand
// (Recompute: POST /v1/rfm/recompute). Between runs it looks every
// `check_ms` at how many events were committed since the last run and runs
// at once when engine RfmOutdated says the population moved a lot: a bulk
// load or a replay of past sales is scored as soon as it ends, not an hour
// later. After each run it rests 19 times as long as the run took before
// asking again (kRfmRestPerRun): these early runs take at most a twentieth
// of a CPU, however small the population and heavy the load.
//
// Stored: the latest quantiles under meta "rfm/quantiles"
// (store.v1.RfmQuantiles, key_codec.h), written after each run. A failed run
// (store unreadable) keeps the previous quantiles and is retried at the next
// check (if the population moved) or interval.
//
// Thread safety: Recompute from any thread (runs are serialized); Start and
// Stop once, from the owner.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "adapters/rocksdb/store.h"
#include "engine/rfm.h"
#include "engine/runtime/runtime.h"

namespace loyalty {

// The quantiles RfmJob stored last (none yet: nullopt), and when they were
// computed. Corruption when they do not decode.
Result<std::optional<RfmQuantiles>> ReadStoredRfm(const Store& store,
                                                  TimeMs* computed_ms = nullptr);

class RfmJob {
 public:
  using ClockFn = std::function<TimeMs()>;
  static constexpr int64_t kCheckDefaultMs = 5'000;
  // `interval_ms` 0: no periodic run (Start still runs once, and the checks
  // for a bulk load go on every `check_ms`).
  RfmJob(Store& store, Runtime& runtime, int64_t interval_ms, ClockFn clock,
         int64_t check_ms = kCheckDefaultMs);
  ~RfmJob();  // Stop()s

  // Hands the stored quantiles (if any) to the runtime. Not ok when they
  // cannot be read or decoded.
  Status LoadStored();
  // Computes them now from every customer, stores them and hands them to the runtime.
  Result<RfmQuantiles> Recompute();
  // When the quantiles in force were computed (server clock); 0 = never.
  TimeMs computed_ms() const;
  // The points all customers held at that run (the sum of their balances;
  // the run reads every customer anyway): for the metrics.
  int64_t points_outstanding() const { return points_outstanding_.load(); }

  // Runs once at once, then every interval and after bulk loads, on its
  // own thread.
  void Start();
  void Stop();

 private:
  void Loop();

  Store& store_;
  Runtime& runtime_;
  const int64_t interval_ms_;
  const ClockFn clock_;
  const int64_t check_ms_;
  std::mutex run_mu_;  // one run at a time
  std::atomic<TimeMs> computed_ms_{0};
  std::atomic<int64_t> points_outstanding_{0};
  std::atomic<uint64_t> events_at_run_{0};     // events committed when the last run began
  std::atomic<uint64_t> customers_at_run_{0};  // who had bought, then
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace loyalty
