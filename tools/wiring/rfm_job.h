// RfmJob: the periodic job that computes the RFM population quantiles
// (engine/rfm.h) from every customer in the store and hands them to the
// runtime, so every decision and lookup scores its customer against them
// (DESIGN.md §8). It runs at Start (after handing over the stored ones, so a
// restart scores at once), then every `interval_ms`, and on demand
// (Recompute: POST /v1/rfm/recompute).
//
// Stored: the latest quantiles under meta "rfm/quantiles"
// (store.v1.RfmQuantiles, key_codec.h), written after each run. A failed run
// (store unreadable) keeps the previous quantiles and is retried at the next
// interval.
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

class RfmJob {
 public:
  using ClockFn = std::function<TimeMs()>;
  // `interval_ms` 0: no periodic run (Start still runs once).
  RfmJob(Store& store, Runtime& runtime, int64_t interval_ms, ClockFn clock);
  ~RfmJob();  // Stop()s

  // Hands the stored quantiles (if any) to the runtime. Not ok when they
  // cannot be read or decoded.
  Status LoadStored();
  // Computes them now from every customer, stores them and hands them to the runtime.
  Result<RfmQuantiles> Recompute();
  // When the quantiles in force were computed (server clock); 0 = never.
  TimeMs computed_ms() const;

  // Runs once at once, then every interval, on its own thread.
  void Start();
  void Stop();

 private:
  Store& store_;
  Runtime& runtime_;
  const int64_t interval_ms_;
  const ClockFn clock_;
  std::mutex run_mu_;  // one run at a time
  std::atomic<TimeMs> computed_ms_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace loyalty
