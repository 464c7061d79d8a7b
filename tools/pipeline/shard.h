// Shard: one thread that owns a slice of the customers (by card hash) and
// applies their events one at a time, committing them in groups. See
// pipeline.h for the whole path.
#pragma once

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

// Transaction ids in flight across all shards (striped locks, held for a
// hash-set insert or erase only).
class TxnClaims {
 public:
  bool TryClaim(const std::string& txn_id);
  void Release(const std::string& txn_id);

 private:
  static constexpr std::size_t kStripes = 64;
  struct Stripe {
    std::mutex mu;
    std::set<std::string> ids;
  };
  Stripe& StripeFor(const std::string& txn_id);
  Stripe stripes_[kStripes];
};

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

struct ShardCounters {
  std::atomic<uint64_t> events{0};
  std::atomic<uint64_t> groups{0};
  std::atomic<uint64_t> grouped_events{0};
  std::atomic<uint64_t> commit_failures{0};
  std::atomic<uint64_t> replays{0};
  std::atomic<uint64_t> swept{0};  // customers changed by the sweep
};

class Shard {
 public:
  Shard(Store& store, TxnClaims& claims, BudgetBook& budgets, uint32_t index,
        std::map<std::string, int64_t> budget_used, const PipelineOptions& options);
  ~Shard();

  // False when the queue is full (the caller answers OVERLOADED).
  bool Enqueue(Work work);
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
    std::string claimed_txn;  // released after the commit
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

  // Shard-thread only.
  using StatePtr = std::shared_ptr<const CustomerState>;
  std::unordered_map<std::string, StatePtr> by_card_;  // hot states, ahead of the disk by one group
  // Committed states of the hot set, read by the network thread for lookups
  // (CommittedState) and written here after each commit.
  mutable std::mutex view_mu_;
  std::unordered_map<std::string, StatePtr> committed_;
  std::unordered_map<std::string, TxnRecord> group_txns_;    // written, not yet committed
  std::vector<std::pair<std::string, TimeMs>> group_cards_;  // cards changed, and when
  std::set<std::string> new_customers_;                      // ids created in the group
  ShardBudgets budgets_;
  ShardCounters counters_;
  std::thread thread_;
};

}  // namespace loyalty
