#include "engine/runtime/budget_book.h"

namespace loyalty {

BudgetBook::BudgetBook() : snapshot_(std::make_shared<const BudgetsUsed>()) {}

Status BudgetBook::Load(const DurableStore& store,
                        std::vector<std::map<std::string, int64_t>>& mine) {
  std::lock_guard lock(mu_);
  Status s = store.ForEachBudgetUsed([&](const std::string& id, uint32_t shard, int64_t used) {
    used_.Add(id, used);
    if (shard < mine.size()) mine[shard][id] = used;
  });
  snapshot_.store(std::make_shared<const BudgetsUsed>(used_));
  return s;
}

bool BudgetBook::TryReserve(const std::vector<BudgetDraw>& draws) {
  if (draws.empty()) return true;
  std::lock_guard lock(mu_);
  if (!used_.Fits(draws)) return false;
  used_.Apply(draws);
  snapshot_.store(std::make_shared<const BudgetsUsed>(used_));
  return true;
}

void ShardBudgetLog::Note(const std::vector<BudgetDraw>& draws) {
  for (const BudgetDraw& d : draws) {
    used_[d.id] += d.amount;
    changed_.insert(d.id);
  }
}

void ShardBudgetLog::Stage(StoreBatch& batch) {
  for (const std::string& id : changed_) batch.PutBudgetUsed(id, shard_, used_[id]);
  changed_.clear();
}

}  // namespace loyalty
