// Pipeline: the engine's event path between the network and the store
// (DESIGN.md §2). It decodes and validates a request on the network thread,
// routes it by card to one of N shards, and each shard, on its own thread:
//   loads the customer (shard memory, else RocksDB), checks the transaction
//   id, calls the pure core's Decide, stages the writes in the group's one
//   WriteBatch; when its queue is empty or the group is full it commits the
//   batch (WAL fsynced) and only then sends the group's replies.
// Group size adapts by itself: at light load a group holds one event, under
// load it holds whatever queued during the previous fsync.
// Lookups of hot cards are answered on the network thread from the shard's
// committed view (the state as last made durable), without a thread hop.
//
// One writer per customer: a card always maps to the same shard, so no
// customer state is touched by two threads. A transaction id is claimed while
// in flight (TxnClaims, shared by all shards), so the same id sent twice at
// once, with one card or with two (two shards), cannot be applied twice.
//
// Copies of one transaction (a till that resent on another connection) wait
// for the first: a copy that finds its id claimed is parked on the claim and,
// once the holder's group has committed, is decided again on its own shard,
// where it reads the committed record. So the invariant: every copy gets
// what a retry after the commit would get, namely
//   - the stored reply, byte for byte (the decision; request ids differ), or
//   - DUPLICATE_DIFFERENT_PAYLOAD when its payload is not the stored one, or
//   - when the first stored nothing (a refusal without a record), its own
//     fresh decision, made after the first's, one at a time.
// If the holder's commit fails, its waiting copies share the group's answer:
// UNAVAILABLE, outcome unknown, retry with the same transaction id (the
// write may or may not be on disk, so nobody is told APPLIED or decided
// afresh against a state that may be stale). Copies never turn into
// UNAVAILABLE otherwise, except while the pipeline stops. At most
// copies_waiting_max copies wait at once; the next is answered OVERLOADED.
//
// Thread safety: Handle, SetRules and SetRfm from any thread; Stop once.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

#include "adapters/net/server.h"
#include "adapters/rocksdb/store.h"
#include "engine/decide.h"
#include "engine/limits.h"
#include "engine/rfm.h"
#include "engine/rules.h"

namespace loyalty {

// Told, after a commit and on the committing shard's thread, about every
// customer whose state that commit changed. Must not block: queue and return
// (a cache publisher, for instance). `now_ms` is the server time of the event.
using CommitListener = std::function<void(const CustomerState& state, TimeMs now_ms)>;

// Told about every request answered and every commit, on the thread that
// did it (the network thread or a shard's). Must be cheap and never block:
// it feeds metrics. `outcome` is an OutcomeName, "replay", "profile",
// "unknown_card", "unavailable" or "overloaded" (too many copies waiting);
// `reason` one of "invalid_field",
// "unknown_message", "overloaded".
class PipelineObserver {
 public:
  virtual ~PipelineObserver() = default;
  virtual void OnEvent(EventKind kind, std::string_view outcome, int64_t latency_ns) = 0;
  virtual void OnRejected(std::string_view reason) = 0;
  virtual void OnCommit(std::size_t group_size, int64_t commit_ns) = 0;
};

struct PipelineOptions {
  std::size_t shards = 2;
  std::size_t queue_max = limits::kShardQueueDefaultMax;   // per shard
  std::size_t group_max = limits::kCommitGroupDefaultMax;  // events per commit
  std::size_t cached_customers_max = 200'000;              // per shard
  // Copies of in-flight transactions waiting for the first, all shards.
  std::size_t copies_waiting_max = limits::kCopiesWaitingDefaultMax;
  CommitListener on_commit;  // optional
  // The sweep: every this often, customers with points due to expire or a
  // tier review due are brought up to date, so balances and liability are
  // right for those who never come back. 0: no periodic sweep.
  int64_t sweep_interval_ms = 3'600'000;
  PipelineObserver* observer = nullptr;  // optional; outlives the pipeline
};

struct PipelineStats {
  uint64_t events = 0;          // requests handed to shards
  uint64_t rejected = 0;        // refused before a shard (decode, validation, overload)
  uint64_t groups = 0;          // commits
  uint64_t grouped_events = 0;  // events in those commits (mean = grouped / groups)
  uint64_t commit_failures = 0;
  uint64_t replays = 0;         // retries answered from the stored reply
  uint64_t lookups_direct = 0;  // lookups answered from committed state, without a shard
  uint64_t swept = 0;           // customers changed by the sweep
  uint64_t copies_waited = 0;   // copies that found their id claimed and waited for it
};

class Shard;
class TxnClaims;
class BudgetBook;

class Pipeline final : public net::RequestHandler {
 public:
  using ClockFn = std::function<TimeMs()>;
  Pipeline(Store& store, std::shared_ptr<const RuleSet> rules, PipelineOptions options,
           ClockFn clock);
  ~Pipeline() override;  // Stop()s if still running
  // Not ok when the stored budget counters could not be read: do not serve.
  const Status& status() const { return status_; }

  void Handle(v1::Request request, ReplyFn reply) override;

  // Publishing: later events use the new rules; events already queued keep
  // the version they were validated under.
  void SetRules(std::shared_ptr<const RuleSet> rules);
  std::shared_ptr<const RuleSet> rules() const;
  // The RFM job's latest population quantiles (rfm.h), for every decision
  // and lookup from now on; null until the first are computed.
  void SetRfm(std::shared_ptr<const RfmQuantiles> rfm);
  std::shared_ptr<const RfmQuantiles> rfm() const;
  // What a lookup of `state` shows now: under the rules in force, with the
  // latest RFM quantiles and the budgets left. Any thread.
  Profile View(const CustomerState& state, TimeMs now_ms) const;
  // The server's "now" (the clock the pipeline was given).
  TimeMs now() const { return clock_(); }

  // Finishes everything queued (every accepted event is answered), then joins.
  void Stop();
  PipelineStats stats() const;

  // Queues a sweep of every customer with something due at `now_ms` (the
  // periodic sweep calls this); returns how many were queued. Any thread.
  Result<std::size_t> SweepDue(TimeMs now_ms);
  // Points awarded so far per budgeted rule id.
  std::map<std::string, int64_t> BudgetsUsed() const;

 private:
  Store& store_;
  PipelineOptions options_;
  ClockFn clock_;
  std::atomic<std::shared_ptr<const RuleSet>> rules_;
  std::atomic<std::shared_ptr<const RfmQuantiles>> rfm_;
  std::unique_ptr<TxnClaims> claims_;
  std::unique_ptr<BudgetBook> budgets_;
  Status status_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<uint64_t> rejected_{0};
  std::atomic<uint64_t> lookups_direct_{0};
  bool stopped_ = false;
  // The periodic sweep's thread.
  std::mutex sweep_mu_;
  std::condition_variable sweep_cv_;
  bool sweep_stop_ = false;
  std::thread sweeper_;
};

}  // namespace loyalty
