#include "tools/pipeline/budgets.h"

namespace loyalty {

Status BudgetBook::Load(const Store& store, std::vector<std::map<std::string, int64_t>>& mine) {
  std::lock_guard lock(mu_);
  return store.ForEachBudgetUsed([&](const std::string& rule, uint32_t shard, int64_t used) {
    used_[rule] += used;
    if (shard < mine.size()) mine[shard][rule] = used;
  });
}

int64_t BudgetBook::Take(const EarnRule& rule, int64_t want) {
  std::lock_guard lock(mu_);
  int64_t& used = used_[rule.id];
  const int64_t left = rule.budget_points > used ? rule.budget_points - used : 0;
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

int64_t ShardBudgets::Take(const EarnRule& rule, int64_t want) {
  const int64_t granted = book_.Take(rule, want);
  if (granted > 0) {
    used_[rule.id] += granted;
    changed_.insert(rule.id);
  }
  return granted;
}

void ShardBudgets::Stage(WriteSet& writes) {
  for (const std::string& rule : changed_) writes.PutBudgetUsed(rule, shard_, used_[rule]);
  changed_.clear();
}

}  // namespace loyalty
