// Shard: one thread that owns a slice of the customers (by card hash) and
// applies their events one at a time, committing them in groups. See
// pipeline.h for the whole path.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "adapters/net/server.h"
#include "adapters/rocksdb/store.h"
#include "engine/decide.h"
#include "engine/rules.h"
#include "tools/pipeline/budgets.h"
#include "tools/pipeline/pipeline.h"

namespace loyalty {

// One accepted request on its way through a shard.
struct Work {
  uint64_t request_id = 0;
  Event event;
  std::shared_ptr<const RuleSet> rules;
  std::shared_ptr<const RfmQuantiles> rfm;  // null: none computed yet
  TimeMs now_ms = 0;
  net::RequestHandler::ReplyFn reply;
  bool sweep = false;  // the periodic sweep of event.card's customer (no reply owed)
  std::chrono::steady_clock::time_point accepted;  // set when an observer wants latency
};

class Shard;

// A copy of a transaction that found its id claimed, waiting for the claim's
// release: then it goes back to `home`, the shard of its own card.
struct WaitingCopy {
  Work work;
  Shard* home = nullptr;
};

// Transaction ids in flight across all shards (striped locks, held for a
// map insert or erase only). The same id may come with two cards, so on two
// shards: the claim, not the shard, is what makes one of them go first.
//
// Copies wait, they are not refused. A copy that finds its id claimed is
// parked on the claim (off every queue, so no shard thread ever blocks on
// another's commit and two shards cannot deadlock) and is handed back by
// Release, once the holder's group has committed or failed to. At most
// `copies_waiting_max` copies wait at once across all shards; the next is
// refused (kFull) without being parked.
//
// Thread safety: every method from any thread.
class TxnClaims {
 public:
  explicit TxnClaims(std::size_t copies_waiting_max) : copies_waiting_max_(copies_waiting_max) {}

  enum class Claim { kTaken, kWaiting, kFull };
  // Takes `id` for the caller; false when another holds it (nothing waits).
  bool TryClaim(const std::string& id);
  // Takes `id` for the caller (kTaken), or parks `work` on the claim that
  // holds it (kWaiting: `work` is moved from and comes back from Release),
  // or refuses when too many copies wait already (kFull: `work` untouched).
  Claim ClaimOrWait(const std::string& id, Work& work, Shard* home);
  // Frees `id`; returns the copies that waited on it, for the caller to
  // send home (or answer). Only the holder releases.
  std::vector<WaitingCopy> Release(const std::string& id);
  std::size_t copies_waiting() const { return copies_waiting_.load(); }

 private:
  static constexpr std::size_t kStripes = 64;
  struct Stripe {
    std::mutex mu;
    std::unordered_map<std::string, std::vector<WaitingCopy>> held;  // id -> its waiting copies
  };
  Stripe& StripeFor(const std::string& id);
  Stripe stripes_[kStripes];
  const std::size_t copies_waiting_max_;
  std::atomic<std::size_t> copies_waiting_{0};
};

struct ShardCounters {
  std::atomic<uint64_t> events{0};
  std::atomic<uint64_t> groups{0};
  std::atomic<uint64_t> grouped_events{0};
  std::atomic<uint64_t> commit_failures{0};
  std::atomic<uint64_t> replays{0};
  std::atomic<uint64_t> swept{0};          // customers changed by the sweep
  std::atomic<uint64_t> copies_waited{0};  // found their transaction id claimed, and waited
};

class Shard {
 public:
  Shard(Store& store, TxnClaims& claims, BudgetBook& budgets, uint32_t index,
        std::map<std::string, int64_t> budget_used, const PipelineOptions& options);
  ~Shard();

  // False when the queue is full (the caller answers OVERLOADED).
  bool Enqueue(Work work);
  // A copy coming back from waiting on a claim (TxnClaims): queued even past
  // queue_max (the copies are bounded by copies_waiting_max) and while
  // stopping; false only once the shard's thread has finished.
  bool Requeue(Work&& work);  // moved from only when queued
  // The committed state of a hot card, or null (then ask the shard). Any
  // thread: a lookup answered from here skips the shard's queue, and never
  // sees a change that is not yet durable.
  std::shared_ptr<const CustomerState> CommittedState(const std::string& card) const;
  void Stop();  // drains the queue, then joins
  const ShardCounters& counters() const { return counters_; }
  // What is left of the campaign budgets, for lookups on any thread (Left
  // reads the pipeline's shared book under its mutex).
  const BudgetGate* budget_gate() const { return &budgets_; }

 private:
  // The reply owed for one event of the current group.
  struct Owed {
    net::RequestHandler::ReplyFn reply;
    std::string bytes;
    std::string claimed_txn;  // released after the commit (its waiting copies go home)
    std::string extra_claim;  // a new customer id, released after the commit
    uint64_t request_id = 0;
    std::string_view outcome;  // for the observer; empty: unavailable
    EventKind kind = EventKind::kLookup;
    std::chrono::steady_clock::time_point accepted;
  };

  void Run();
  void ProcessGroup(std::vector<Work>& group);
  Owed Process(Work& work, WriteSet& writes);
  Owed ProcessLookup(const Work& work);
  Owed ProcessChange(Work& work, WriteSet& writes);
  Owed ProcessSweep(Work& work, WriteSet& writes);
  void SendHome(std::vector<WaitingCopy> copies, const std::string* failure);
  std::optional<std::string> CheckNewCustomerId(const Work& work, Owed& owed);
  void Stage(Work& work, DecideResult& result, WriteSet& writes, Owed& owed);
  void StageEffects(const Work& work, Effects& effects, WriteSet& writes);

  Result<const CustomerState*> LoadByCard(const std::string& card);
  Result<std::optional<TxnRecord>> LoadTxn(const std::string& txn_id);

  Store& store_;
  TxnClaims& claims_;
  const std::size_t queue_max_;
  const std::size_t group_max_;
  const std::size_t cached_customers_max_;
  const CommitListener on_commit_;
  PipelineObserver* const observer_;

  std::mutex mu_;
  std::condition_variable ready_;
  std::deque<Work> queue_;
  bool stopping_ = false;
  bool finished_ = false;  // the thread has returned: nothing more is processed

  // Shard-thread only.
  using StatePtr = std::shared_ptr<const CustomerState>;
  std::unordered_map<std::string, StatePtr> by_card_;  // hot states, ahead of the disk by one group
  // Committed states of the hot set, read by the network thread for lookups
  // (CommittedState) and written here after each commit.
  mutable std::mutex view_mu_;
  std::unordered_map<std::string, StatePtr> committed_;
  // Records written in this group (not yet committed), or read under its claim.
  std::unordered_map<std::string, TxnRecord> group_txns_;
  std::vector<std::pair<std::string, TimeMs>> group_cards_;  // cards changed, and when
  std::set<std::string> new_customers_;                      // ids created in the group
  ShardBudgets budgets_;
  ShardCounters counters_;
  std::thread thread_;
};

}  // namespace loyalty
