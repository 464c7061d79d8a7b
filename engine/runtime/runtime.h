// Runtime: the engine's event path between a channel and the store
// (DESIGN.md §2; README.md in this folder states its invariants). A channel
// (tools/wiring/register_front.h for the registers) decodes a request into an
// Event and Submits it; the runtime validates it, routes it by card to one of
// N shards, and each shard, on its own thread:
//   loads the customer (shard memory, else the store), checks the
//   transaction id, calls the pure core's Decide, reserves the budgets the
//   decision draws, stages the writes in the group's one batch; when its
//   queue is empty or the group is full it commits the batch (durably) and
//   only then answers the group's requests.
// Group size adapts by itself: at light load a group holds one event, under
// load it holds whatever queued during the previous commit.
// Lookups of hot cards are answered on the caller's thread from the shard's
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
//   - the stored decision, byte for byte (kReplayed), or
//   - the kDuplicateDifferentPayload refusal when its payload is not the
//     stored one, or
//   - when the first stored nothing (a refusal without a record), its own
//     fresh decision, made after the first's, one at a time.
// If the holder's commit fails, its waiting copies share the group's answer:
// kUnavailable, outcome unknown, retry with the same transaction id (the
// write may or may not be on disk, so nobody is told it was applied or
// decided afresh against a state that may be stale). Copies never turn into
// kUnavailable otherwise, except while the runtime stops. At most
// copies_waiting_max copies wait at once; the next is answered kOverloaded.
//
// Thread safety: Submit, SetRules, SetRfm and the readers from any thread;
// Stop once.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string_view>
#include <thread>
#include <vector>

#include "engine/decide.h"
#include "engine/limits.h"
#include "engine/rfm.h"
#include "engine/rules.h"
#include "engine/runtime/answer.h"
#include "engine/runtime/ports.h"
#include "engine/runtime/work.h"

namespace loyalty {

struct RuntimeOptions {
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
  RuntimeObserver* observer = nullptr;  // optional; outlives the runtime
  // No threads: the caller drives the shards with StepDecide and StepCommit,
  // in an order of its choosing (the simulator, tests/sim/), and calls
  // SweepDue itself (sweep_interval_ms is ignored). Answers are then called
  // on the caller's thread, inside Submit or a step.
  bool stepped = false;
  // The outbox (engine/outbox.h): the event types staged with each change,
  // and the CloudEvents source they name. Empty: no outbox, nothing staged.
  std::set<std::string> outbox_types;
  std::string outbox_source = "/loyaltyd";
};

struct RuntimeStats {
  uint64_t events = 0;          // requests handed to shards
  uint64_t rejected = 0;        // refused before a shard (decode, validation, overload)
  uint64_t groups = 0;          // commits
  uint64_t grouped_events = 0;  // events in those commits (mean = grouped / groups)
  uint64_t commit_failures = 0;
  uint64_t replays = 0;         // retries answered from the stored decision
  uint64_t lookups_direct = 0;  // lookups answered from committed state, without a shard
  uint64_t swept = 0;           // customers changed by the sweep
  uint64_t copies_waited = 0;   // copies that found their id claimed and waited for it
  uint64_t budget_retries = 0;  // decisions made again: another shard drew a budget first
};

class Shard;
class TxnClaims;
class BudgetBook;
class CardRoutes;

class Runtime {
 public:
  using ClockFn = std::function<TimeMs()>;
  // `store` and `codec` outlive the runtime.
  Runtime(DurableStore& store, const DecisionCodec& codec, std::shared_ptr<const RuleSet> rules,
          RuntimeOptions options, ClockFn clock);
  ~Runtime();  // Stop()s if still running
  // Not ok when the stored budget counters could not be read: do not serve.
  const Status& status() const { return status_; }

  // One request: `answer` is called exactly once, on this thread (refused
  // before a shard, or a hot lookup) or on a shard's (after the commit).
  // `with_commit` (optional) adds records to the decision's batch (answer.h).
  void Submit(uint64_t request_id, Event event, AnswerFn answer,
              CommitRecordsFn with_commit = nullptr);
  // A request the channel could not decode: counted and observed.
  void NoteRejected(std::string_view reason);

  // Publishing: later events use the new rules; events already queued keep
  // the version they were validated under.
  void SetRules(std::shared_ptr<const RuleSet> rules);
  std::shared_ptr<const RuleSet> rules() const;
  // The RFM job's latest population quantiles (rfm.h), for every decision
  // and lookup from now on; null until the first are computed.
  void SetRfm(std::shared_ptr<const RfmQuantiles> rfm);
  std::shared_ptr<const RfmQuantiles> rfm() const;
  // What a lookup of `state` shows now: under the rules in force, with the
  // latest RFM quantiles and the budgets left. Any thread. The Profile
  // refers to `state`: keep it alive while the Profile is used.
  Profile View(const CustomerState& state, TimeMs now_ms) const;
  // The server's "now" (the clock the runtime was given).
  TimeMs now() const { return clock_(); }

  // Finishes everything queued (every accepted event is answered), then joins.
  void Stop();

  // Stepped mode only (RuntimeOptions::stepped). Shard `i` decides one
  // group / commits its oldest decided group; false when it had nothing to
  // do. Crash drops everything not yet committed without answering it, as
  // a killed process would; the runtime then does nothing more.
  std::size_t shard_count() const { return shards_.size(); }
  bool StepDecide(std::size_t shard);
  bool StepCommit(std::size_t shard);
  void Crash();
  RuntimeStats stats() const;

  // Queues a sweep of every customer with something due at `now_ms` (the
  // periodic sweep calls this); returns how many were queued. Any thread.
  Result<std::size_t> SweepDue(TimeMs now_ms);
  // What is used so far per budget id (earn rules' points, offers').
  std::map<std::string, int64_t> BudgetTotals() const;

 private:
  Shard& ShardFor(const std::string& card) const;
  void Forward(Work&& work);
  // Merges (EventKind::kMerge), one at a time on their own thread: every
  // shard is paused between groups, so both customers are on disk and
  // nobody else changes them; the merge is one durable batch (merge.cc).
  void RunMerges();
  void Merge(Work& work);

  DurableStore& store_;
  RuntimeOptions options_;
  ClockFn clock_;
  std::atomic<std::shared_ptr<const RuleSet>> rules_;
  std::atomic<std::shared_ptr<const RfmQuantiles>> rfm_;
  std::unique_ptr<TxnClaims> claims_;
  std::unique_ptr<BudgetBook> budgets_;
  std::unique_ptr<CardRoutes> routes_;
  const DecisionCodec& codec_;
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
  // The merges' queue and thread.
  std::mutex merge_mu_;
  std::condition_variable merge_cv_;
  std::deque<Work> merges_;
  bool merge_stop_ = false;
  std::thread merger_;
};

}  // namespace loyalty
