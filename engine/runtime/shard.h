// Shard: one thread that owns a slice of the customers (by card hash) and
// decides their events one at a time, in groups, and a committer thread that
// makes each group durable and then answers it. See runtime.h for the whole
// path and README.md for the invariants.
//
// Pipelined group commit: while the committer makes group N durable, the
// shard thread decides group N+1 on the state N will leave (its memory runs
// ahead of the disk by the groups in flight, at most two). Answers still go
// out only once their own group is durable, groups commit in order, and a
// failed commit fails its group and every group decided on top of it (they
// were decided on states that may not exist): all are answered kUnavailable,
// the shard forgets what it held in memory, and a retry with the same
// transaction id is safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
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
  // Hands a work to the shard of its (corrected) work.key, learning the
  // route; answers it itself when that shard has finished.
  std::function<void(Work&&)> forward;
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
  // Parks the shard thread between groups once every group in flight is
  // committed and answered, and keeps it parked until the returned pause is
  // released (ShardPause::Release): meanwhile the caller may change this
  // shard's customers in the store. Blocks until parked; null once the shard
  // is stopping. Not in stepped mode.
  std::shared_ptr<ShardPause> Pause();
  void Stop();  // drains the queue and the groups in flight, then joins

  // Stepped (RuntimeOptions::stepped: no threads; a simulation drives it).
  // StepDecide decides one group, if work is queued and fewer than two
  // groups are in flight; StepCommit commits the oldest decided group and
  // answers it. Each returns whether it did anything.
  bool StepDecide();
  bool StepCommit();
  // A crash: everything queued or decided and not committed is dropped, its
  // answers never called; the shard does nothing more.
  void Crash();
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

  // A group decided by the shard thread, on its way to the committer.
  struct Group {
    uint64_t seq = 0;
    uint64_t failures_seen = 0;  // commit failures the shard knew of when it decided
    std::unique_ptr<StoreBatch> batch;
    std::vector<Owed> owed;
    // Customers the group changed: their state as the group leaves them.
    struct Changed {
      std::string card;
      std::shared_ptr<const CustomerState> state;
      TimeMs at = 0;
    };
    std::vector<Changed> changed;
  };
  // What a group staged in shard memory, forgotten once it is committed.
  struct StagedKeys {
    uint64_t seq = 0;
    std::vector<std::string> txns, customers, cards, retired;
  };

  // kUnavailable: the store could not be read (outcome: nothing happened).
  static Answer CannotRead(uint64_t request_id, const Status& status);
  void Run();         // the shard thread
  void RunCommits();  // the committer thread
  // The two halves of each, shared with the stepped mode. TakeWork under mu_.
  void TakeWork(std::vector<Work>& work, std::vector<uint64_t>& committed);
  void DecideAndHandOff(std::vector<Work>& work, const std::vector<uint64_t>& committed);
  void CommitAndAnswer(Group& group);
  Group DecideGroup(std::vector<Work>& work);
  void CommitGroup(Group& group);
  void Forget(const std::vector<uint64_t>& committed);
  void Evict();
  Owed Process(Work& work, StoreBatch& batch);
  void ProcessLookup(const Work& work, Owed& o);
  void ProcessChange(Work& work, StoreBatch& batch, Owed& o);
  void ProcessSweep(Work& work, StoreBatch& batch);
  DecideResult DecideWithBudgets(const DecideInput& input);
  void SendHome(std::vector<WaitingCopy> copies, const std::string* failure);
  bool CheckNotRetired(const Work& work, const std::string& card, Owed& owed);
  bool CheckNewCard(const Work& work, Owed& owed);
  bool CheckLink(const Work& work, const CustomerState& customer, Owed& owed);
  bool ClaimNewId(const Work& work, const std::string& id, Owed& owed, bool* taken);
  bool CheckNewCustomerId(const Work& work, Owed& owed);
  void Stage(Work& work, DecideResult& result, StoreBatch& batch, Owed& owed,
             const CustomerState* before);
  // `before`: the customer as the event found them (null: new);
  // `decision`: null for a sweep.
  void StageEffects(const Work& work, Effects& effects, StoreBatch& batch,
                    const CustomerState* before, const Decision* decision);
  void StageTxn(TxnRecord record);
  void Answered(Owed& o);

  // Brings the customer of work.event.card into memory under work.key, their
  // route card. False when the store says they are routed by another card
  // (a linked card seen here first, a merged customer's card): work.key then
  // names it, and the work belongs to that card's shard (Forward).
  Result<bool> Resolve(Work& work);
  // The customer of work.event.card as held under work.key; null when none
  // (not enrolled, erased, or the card left them: retired).
  const CustomerState* Held(const Work& work) const;
  void Park(ShardPause& pause);
  Result<std::optional<TxnRecord>> LoadTxn(const std::string& txn_id);

  ShardContext ctx_;
  const std::size_t queue_max_;
  const std::size_t group_max_;
  const std::size_t cached_customers_max_;
  const CommitListener on_commit_;
  RuntimeObserver* const observer_;
  const bool stepped_;
  const std::set<std::string> outbox_types_;
  const std::string outbox_source_;

  // Under mu_: the queue, the hand-off to the committer, and back.
  std::mutex mu_;
  std::condition_variable ready_;         // the shard thread waits on it
  std::condition_variable commit_ready_;  // the committer waits on it
  std::deque<Work> queue_;
  std::deque<Group> to_commit_;           // decided, waiting for the committer (at most one)
  std::size_t inflight_ = 0;              // handed to the committer, not yet answered
  std::vector<uint64_t> committed_seqs_;  // groups answered since the shard thread last looked
  bool stopping_ = false;
  bool finished_ = false;  // the shard thread has returned: nothing more is decided
  bool committer_stop_ = false;
  std::atomic<uint64_t> failures_{0};  // commits that failed (written by the committer)

  // Shard-thread only.
  using StatePtr = std::shared_ptr<const CustomerState>;
  // Hot states by route card (Work::key), ahead of the disk by the groups in
  // flight; null: the customer is gone (erased), their cards retired.
  std::unordered_map<std::string, StatePtr> by_card_;
  template <typename V>
  struct Tagged {  // a value staged by group `seq`
    V value;
    uint64_t seq = 0;
  };
  // Records staged by groups in flight (or read under their claim).
  std::unordered_map<std::string, Tagged<TxnRecord>> staged_txns_;
  std::unordered_map<std::string, uint64_t> new_customers_;   // ids created by groups in flight
  std::unordered_map<std::string, uint64_t> inflight_cards_;  // keys changed by groups in flight
  std::unordered_map<std::string, uint64_t> retiring_;        // cards retired by groups in flight
  std::deque<StagedKeys> staged_keys_;
  Group* deciding_ = nullptr;  // the group being decided
  uint64_t next_seq_ = 1;
  uint64_t failures_seen_ = 0;
  ShardBudgetLog budget_log_;

  // Committed states of the hot set, read by other threads for lookups
  // (CommittedState), written by both threads (the committer after each
  // commit, the shard thread when it loads a card from the store).
  mutable std::mutex view_mu_;
  std::unordered_map<std::string, StatePtr> committed_;
  std::string last_failure_;  // committer only: why the last commit failed

  ShardCounters counters_;
  std::thread thread_;
  std::thread committer_;
};

}  // namespace loyalty
