// Campaign budgets: a rule with `budget_points` may award at most that many
// points across all customers. The gate is asked at decision time, so a
// budget is never overshot however many registers sell at once: the caller
// (the pipeline) backs it with one counter per rule shared by every shard;
// simulation and tests use MemoryBudgets.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "engine/rules.h"

namespace loyalty {

class BudgetGate {
 public:
  virtual ~BudgetGate() = default;
  // Takes up to `want` points from `rule`'s budget; returns what was granted
  // (0 when it is spent). Never gives more than is left.
  virtual int64_t Take(const EarnRule& rule, int64_t want) = 0;
};

// A single-threaded gate: points used per rule id, in memory.
class MemoryBudgets : public BudgetGate {
 public:
  int64_t Take(const EarnRule& rule, int64_t want) override {
    int64_t& used = used_[rule.id];
    const int64_t left = rule.budget_points > used ? rule.budget_points - used : 0;
    const int64_t granted = want < left ? want : left;
    used += granted;
    return granted;
  }
  int64_t used(const std::string& rule_id) const {
    auto it = used_.find(rule_id);
    return it == used_.end() ? 0 : it->second;
  }

 private:
  std::map<std::string, int64_t> used_;
};

}  // namespace loyalty
