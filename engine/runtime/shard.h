// Shard: one thread that owns a slice of the customers (by card hash) and
// applies their events one at a time, committing them in groups. See
// runtime.h for the whole path and README.md for the invariants.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "engine/decide.h"
#include "engine/runtime/answer.h"
#include "engine/runtime/budget_book.h"
#include "engine/runtime/ports.h"
#include "engine/runtime/txn_claims.h"
#include "engine/runtime/work.h"

namespace loyalty {

struct RuntimeOptions;

struct ShardCounters {
  std::atomic<uint64_t> events{0};
  std::atomic<uint64_t> groups{0};
  std::atomic<uint64_t> grouped_events{0};
  std::atomic<uint64_t> commit_failures{0};
  std::atomic<uint64_t> replays{0};
  std::atomic<uint64_t> swept{0};           // customers changed by the sweep
  std::atomic<uint64_t> copies_waited{0};   // found their transaction id claimed, and waited
  std::atomic<uint64_t> budget_retries{0};  // decided again: another shard drew the budget first
};

// What a shard needs from the runtime that owns it.
struct ShardContext {
  DurableStore& store;
  const DecisionCodec& codec;
  TxnClaims& claims;
  BudgetBook& budgets;
};

class Shard {
 public:
  Shard(ShardContext context, uint32_t index, std::map<std::string, int64_t> budget_used,
        const RuntimeOptions& options);
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

 private:
  // The answer owed for one event of the current group, and the claims to
  // release once the group is durable.
  struct Owed {
    AnswerFn reply;  // null: a sweep, or a copy parked on a claim
    Answer answer;
    std::string claimed_txn;  // released after the commit (its waiting copies go home)
    std::string extra_claim;  // a new customer id, released after the commit
    EventKind kind = EventKind::kLookup;
    std::chrono::steady_clock::time_point accepted;
  };

  void Run();
  void ProcessGroup(std::vector<Work>& group);
  Owed Process(Work& work, StoreBatch& batch);
  void ProcessLookup(const Work& work, Owed& o);
  void ProcessChange(Work& work, StoreBatch& batch, Owed& o);
  void ProcessSweep(Work& work, StoreBatch& batch);
  DecideResult DecideWithBudgets(const DecideInput& input);
  void SendHome(std::vector<WaitingCopy> copies, const std::string* failure);
  bool CheckNewCustomerId(const Work& work, Owed& owed);
  void Stage(Work& work, DecideResult& result, StoreBatch& batch, Owed& owed);
  void StageEffects(const Work& work, Effects& effects, StoreBatch& batch);
  void Answered(Owed& o);

  Result<const CustomerState*> LoadByCard(const std::string& card);
  Result<std::optional<TxnRecord>> LoadTxn(const std::string& txn_id);

  ShardContext ctx_;
  const std::size_t queue_max_;
  const std::size_t group_max_;
  const std::size_t cached_customers_max_;
  const CommitListener on_commit_;
  RuntimeObserver* const observer_;

  std::mutex mu_;
  std::condition_variable ready_;
  std::deque<Work> queue_;
  bool stopping_ = false;
  bool finished_ = false;  // the thread has returned: nothing more is processed

  // Shard-thread only.
  using StatePtr = std::shared_ptr<const CustomerState>;
  std::unordered_map<std::string, StatePtr> by_card_;  // hot states, ahead of the disk by one group
  // Committed states of the hot set, read by other threads for lookups
  // (CommittedState) and written here after each commit.
  mutable std::mutex view_mu_;
  std::unordered_map<std::string, StatePtr> committed_;
  // Records written in this group (not yet committed), or read under its claim.
  std::unordered_map<std::string, TxnRecord> group_txns_;
  std::vector<std::pair<std::string, TimeMs>> group_cards_;  // cards changed, and when
  std::unordered_set<std::string> new_customers_;            // ids created in the group
  ShardBudgetLog budget_log_;
  ShardCounters counters_;
  std::thread thread_;
};

}  // namespace loyalty
