// Campaign budgets across shards. One BudgetBook per pipeline holds what is
// used per budget (an earn rule's points, an offer's redemptions); every shard takes from it under
// one mutex at decision time, so concurrent registers on any shard never overshoot a budget. Each
// shard also keeps what it has used itself and writes that (cumulative, one key per rule and shard)
// in the same batch as the decision, so after a restart the book is the sum of what was committed.
// A commit that fails keeps its points taken: a budget may end slightly under-spent, never over.
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>

#include "adapters/rocksdb/store.h"
#include "engine/budget.h"

namespace loyalty {

class BudgetBook {
 public:
  // Loads what every shard has used so far; `mine[shard]` gets that shard's.
  Status Load(const Store& store, std::vector<std::map<std::string, int64_t>>& mine);
  int64_t Draw(const std::string& id, int64_t limit, int64_t want);
  int64_t Used(const std::string& id) const;
  std::map<std::string, int64_t> Snapshot() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, int64_t> used_;
};

// One shard's gate: takes from the book and remembers what to write.
class ShardBudgets final : public BudgetGate {
 public:
  ShardBudgets(BudgetBook& book, uint32_t shard) : book_(book), shard_(shard) {}
  void Seed(std::map<std::string, int64_t> used) { used_ = std::move(used); }
  int64_t Draw(const std::string& id, int64_t limit, int64_t want) override;
  int64_t Left(const std::string& id, int64_t limit) const override;
  // Puts the changed totals in the batch of the current group.
  void Stage(WriteSet& writes);

 private:
  BudgetBook& book_;
  const uint32_t shard_;
  std::map<std::string, int64_t> used_;
  std::set<std::string> changed_;
};

}  // namespace loyalty
