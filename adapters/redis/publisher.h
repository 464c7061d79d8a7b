// Publisher: writes each changed customer's profile snapshot to Redis after
// its commit (write-behind), on its own thread, so a sale never waits on
// Redis (DESIGN.md §2 rule 5: Redis is a cache, never the truth).
//
//   shard thread:  OnCommit(state) copies the state into a bounded backlog
//                  and returns; backlog full or Redis down: the customer is
//                  only marked dirty (a bounded set of ids).
//   publisher:     takes up to batch_max commits, writes them in one
//                  pipelined round trip through the version guard
//                  (snapshot_writer.h), then republishes dirty customers
//                  (their current state, read through StateSource::load).
//
// Failure: a connect or command timeout or I/O error drops the connection,
// moves the backlog to the dirty set and counts a failure in the circuit
// breaker (circuit_breaker.h), which spaces the reconnects with a doubling
// backoff. When Redis answers again the dirty customers are republished. If
// the dirty set outgrows dirty_max, or Redis comes back without the meta key
// (it restarted empty, or was flushed), every customer is republished
// instead (StateSource::for_each); so is everyone at startup with
// resync_on_start, since changes made while this process was down are
// unknown.
//
// Thread safety: OnCommit and counters() from any thread; Start and Stop
// once each, from the owner.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "adapters/redis/circuit_breaker.h"
#include "adapters/redis/connection.h"
#include "adapters/redis/handoff.h"
#include "adapters/redis/lag_window.h"
#include "adapters/redis/snapshot_writer.h"
#include "engine/status.h"

namespace loyalty::redis {

inline constexpr std::size_t kBacklogDefaultMax = 64 * 1024;  // snapshots queued
inline constexpr std::size_t kBatchDefaultMax = 256;          // commands per round trip
inline constexpr std::size_t kDirtyDefaultMax = 100'000;      // customer ids remembered
inline constexpr std::size_t kKeyPrefixBytesMax = 64;

struct PublisherOptions {
  Endpoint endpoint;  // default 127.0.0.1:6379
  std::string key_prefix = "loyalty:";
  int64_t connect_timeout_ms = 100;  // 1..60000
  int64_t command_timeout_ms = 100;  // per round trip, 1..60000
  int64_t ttl_s = 30 * 86'400;       // keys of a customer untouched this long expire; 0: never
  std::size_t backlog_max = kBacklogDefaultMax;
  std::size_t batch_max = kBatchDefaultMax;
  std::size_t dirty_max = kDirtyDefaultMax;
  BreakerOptions breaker;
  bool resync_on_start = true;
};

// Names the first option out of range.
Status ValidateOptions(const PublisherOptions& options);

using ProfileView = std::function<Profile(const CustomerState& state, TimeMs now_ms)>;

// Where the current truth is read from (the store), for republishing.
struct StateSource {
  std::function<Result<std::optional<CustomerState>>(const std::string& customer_id)> load;
  std::function<Status(const std::function<Status(const CustomerState&)>& visit)> for_each;
  // What a lookup shows for a state (signals, hints, offers under the rules
  // in force); unset: balances and tier only. Called on the publisher thread.
  ProfileView view;
};

struct PublisherCounters {
  bool cache_up = false;         // connected, breaker closed
  uint64_t published = 0;        // snapshots Redis stored
  uint64_t stale_skipped = 0;    // Redis already held them or newer ones
  uint64_t refused = 0;          // error replies (not stored)
  uint64_t backlog = 0;          // commits waiting now
  uint64_t dirty = 0;            // customers waiting to be republished now
  uint64_t dirty_marked = 0;     // customers ever marked dirty
  uint64_t republished = 0;      // dirty customers written again
  uint64_t resyncs = 0;          // full resyncs completed
  uint64_t dirty_overflows = 0;  // dirty set bound hit (a resync owed instead)
  uint64_t errors = 0;           // failed connects and round trips
  uint64_t connects = 0;
  int64_t lag_last_us = 0;  // commit offered -> Redis acknowledged
  int64_t lag_p50_us = 0;   // over the last 8192 commits
  int64_t lag_p99_us = 0;
  uint64_t lag_samples = 0;
  std::string last_error;
};

class Publisher {
 public:
  using ClockFn = std::function<TimeMs()>;
  // Precondition: ValidateOptions(options).ok(); source.load and for_each set.
  Publisher(PublisherOptions options, StateSource source, ClockFn clock);
  ~Publisher();  // Stop()s

  // What a lookup shows, for every snapshot from now on. Before Start only
  // (the publisher's thread reads it without a lock): the engine's runtime
  // exists only after the publisher it tells about commits.
  void SetView(ProfileView view);
  void Start();
  // A CommitListener (engine/runtime/ports.h). Never blocks on Redis.
  void OnCommit(const CustomerState& state, TimeMs now_ms);
  // Writes what is queued if Redis is up (one try), then joins the thread.
  void Stop();

  PublisherCounters counters() const;
  // True once everything offered so far is in Redis (for tests and tools).
  bool WaitUntilIdle(int64_t timeout_ms) const;

 private:
  void Run();
  bool Connect();
  Status Step();
  Status PublishCommits(std::vector<Commit>& commits);
  Status Republish(const std::vector<std::string>& customer_ids);
  Status Resync();
  Status WriteSnapshots(const std::vector<Snapshot>& batch);
  void Fail(const Status& why);
  void FlushOnStop();

  Snapshot Snap(const CustomerState& state, TimeMs now_ms) const;

  const PublisherOptions options_;
  StateSource source_;  // view set before Start, then read only
  const ClockFn clock_;
  Handoff handoff_;
  SnapshotWriter writer_;

  // Publisher thread only.
  CircuitBreaker breaker_;
  std::unique_ptr<Connection> connection_;

  mutable std::mutex counters_mu_;
  PublisherCounters counters_;  // backlog, dirty, overflows: from handoff_
  LagWindow lag_;
  std::thread thread_;
  bool started_ = false;
};

}  // namespace loyalty::redis
