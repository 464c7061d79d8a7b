#include "tools/pipeline/budgets.h"

namespace loyalty {

Status BudgetBook::Load(const Store& store, std::vector<std::map<std::string, int64_t>>& mine) {
  std::lock_guard lock(mu_);
  return store.ForEachBudgetUsed([&](const std::string& rule, uint32_t shard, int64_t used) {
    used_[rule] += used;
    if (shard < mine.size()) mine[shard][rule] = used;
  });
}

int64_t BudgetBook::Draw(const std::string& id, int64_t limit, int64_t want) {
  std::lock_guard lock(mu_);
  int64_t& used = used_[id];
  const int64_t left = limit > used ? limit - used : 0;
  const int64_t granted = std::min(want, left);
  used += granted;
  return granted;
}

int64_t BudgetBook::Used(const std::string& rule_id) const {
  std::lock_guard lock(mu_);
  auto it = used_.find(rule_id);
  return it == used_.end() ? 0 : it->second;
}

std::map<std::string, int64_t> BudgetBook::Snapshot() const {
  std::lock_guard lock(mu_);
  return used_;
}

int64_t ShardBudgets::Draw(const std::string& id, int64_t limit, int64_t want) {
  const int64_t granted = book_.Draw(id, limit, want);
  if (granted > 0) {
    used_[id] += granted;
    changed_.insert(id);
  }
  return granted;
}

int64_t ShardBudgets::Left(const std::string& id, int64_t limit) const {
  const int64_t used = book_.Used(id);
  return limit > used ? limit - used : 0;
}

void ShardBudgets::Stage(WriteSet& writes) {
  for (const std::string& rule : changed_) writes.PutBudgetUsed(rule, shard_, used_[rule]);
  changed_.clear();
}

}  // namespace loyalty
