// Campaign budgets across shards. The core decides on a snapshot of what is
// used (engine/budget.h) and proposes draws; the shard reserves them here,
// all or none, before it stages the decision. When another shard took what
// was left since the snapshot, the reservation fails and the shard decides
// again on a fresh snapshot: no budget is ever overshot, and a refused
// decision leaves every budget as it was.
//
// Each shard also keeps what it has drawn itself and writes that (cumulative,
// one key per budget and shard) in the same batch as the decisions, so after
// a restart the book is the sum of what was committed. A commit that fails
// keeps its draws: a budget may end slightly under-spent, never over.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "engine/budget.h"
#include "engine/runtime/ports.h"

namespace loyalty {

class BudgetBook {
 public:
  BudgetBook();
  // Loads what every shard has used so far; `mine[shard]` gets that shard's.
  Status Load(const DurableStore& store, std::vector<std::map<std::string, int64_t>>& mine);
  // What is used now, as an immutable value (decisions and lookups read it).
  std::shared_ptr<const BudgetsUsed> Snapshot() const { return snapshot_.load(); }
  // Takes every draw, or none when one no longer fits.
  bool TryReserve(const std::vector<BudgetDraw>& draws);

 private:
  std::mutex mu_;  // writers only; readers take the snapshot
  BudgetsUsed used_;
  std::atomic<std::shared_ptr<const BudgetsUsed>> snapshot_;
};

// One shard's own draws, cumulative, and which changed in the current group.
class ShardBudgetLog {
 public:
  explicit ShardBudgetLog(uint32_t shard) : shard_(shard) {}
  void Seed(std::map<std::string, int64_t> used) { used_ = std::move(used); }
  void Note(const std::vector<BudgetDraw>& draws);
  // Puts the changed totals in the batch of the current group.
  void Stage(StoreBatch& batch);

 private:
  const uint32_t shard_;
  std::map<std::string, int64_t> used_;
  std::set<std::string> changed_;
};

}  // namespace loyalty
