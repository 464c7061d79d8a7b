// OutboxDispatcher: delivers the outbox (adapters/rocksdb/store.h "The
// outbox") to its sinks, at least once, in the order the events were staged
// (so in order per customer), on its own thread: a sale never waits for it.
//
// A batch of the oldest events (whole outbox records: one commit's events
// each) goes to every sink; once all took it, it is acknowledged (deleted).
// A failure is retried with exponential backoff and jitter (0.2 s doubling
// to 60 s); after max_tries failures in a row, or when its oldest event has
// waited dead_after_ms, the batch goes to the dead letters
// (Store::RedeliverDeadLetters brings them back) and delivery goes on. A
// sink that took a batch before another failed gets it again: a receiver
// de-duplicates by event id.
//
// Thread safety: Start and Stop once each, from one thread; stats() from any.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "adapters/rocksdb/store.h"
#include "tools/wiring/background.h"

namespace loyalty {

// Where events go: a webhook endpoint (webhook_sink.h), a Redis stream, or
// later a Kafka topic. Deliver is called from the dispatcher's thread only.
class OutboxSink {
 public:
  virtual ~OutboxSink() = default;
  virtual std::string name() const = 0;  // for logs and metrics: no secret, no personal data
  // Ok: every event of `events_json` (CloudEvents JSON objects) is taken.
  virtual Status Deliver(const std::vector<std::string>& events_json) = 0;
};

struct DispatcherOptions {
  std::size_t batch_max = 500;
  uint32_t max_tries = 12;
  int64_t dead_after_ms = 86'400'000;  // a day
  int64_t backoff_first_ms = 200;
  int64_t backoff_max_ms = 60'000;
  int64_t idle_poll_ms = 50;  // how often an empty outbox is looked at
  // After delivering all there was to read, wait this long before reading
  // again: under load batches fill up (tens of requests a second, not one
  // per commit group), and an event waits at most this much longer.
  int64_t linger_ms = 50;
  // The dispatcher thread's nice value (Linux: per thread): delivery is
  // background work and yields the CPU to the sales when both want it.
  int nice = kBackgroundNice;
};

struct DispatcherStats {
  uint64_t delivered = 0;      // events acknowledged
  uint64_t failures = 0;       // failed deliveries (a batch to a sink)
  uint64_t dead_lettered = 0;  // events given up on
  uint64_t backlog = 0;  // outbox records (a commit's events each) not yet delivered or given up
  int64_t oldest_age_ms = 0;  // how long the oldest waiting event has waited (by its time)
  std::string last_error;
};

class OutboxDispatcher {
 public:
  OutboxDispatcher(Store& store, std::vector<std::unique_ptr<OutboxSink>> sinks,
                   DispatcherOptions options = {});
  ~OutboxDispatcher();  // Stop()s
  void Start();
  void Stop();
  DispatcherStats stats() const;

 private:
  void Run();
  // Waits `ms` or until Stop; false when stopping.
  bool Pause(int64_t ms);

  Store& store_;
  std::vector<std::unique_ptr<OutboxSink>> sinks_;
  const DispatcherOptions options_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  DispatcherStats stats_;           // guarded by mu_
  uint64_t delivered_through_ = 0;  // the last sequence delivered or given up on
  std::thread thread_;
};

}  // namespace loyalty
