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

// Budgets are named: an earn rule's points by its id, an offer's redemptions
// by OfferBudgetId (offers.h).
class BudgetGate {
 public:
  virtual ~BudgetGate() = default;
  // Takes up to `want` from budget `id` of size `limit`; returns what was
  // granted (0 when it is spent). Never gives more than is left.
  virtual int64_t Draw(const std::string& id, int64_t limit, int64_t want) = 0;
  // What is left of budget `id` of size `limit`.
  virtual int64_t Left(const std::string& id, int64_t limit) const = 0;

  int64_t Take(const EarnRule& rule, int64_t want) {
    return Draw(rule.id, rule.budget_points, want);
  }
};

// A single-threaded gate: used per budget id, in memory.
class MemoryBudgets : public BudgetGate {
 public:
  int64_t Draw(const std::string& id, int64_t limit, int64_t want) override {
    int64_t& used = used_[id];
    const int64_t left = limit > used ? limit - used : 0;
    const int64_t granted = want < left ? want : left;
    used += granted;
    return granted;
  }
  int64_t Left(const std::string& id, int64_t limit) const override {
    const int64_t u = used(id);
    return limit > u ? limit - u : 0;
  }
  int64_t used(const std::string& id) const {
    auto it = used_.find(id);
    return it == used_.end() ? 0 : it->second;
  }

 private:
  std::map<std::string, int64_t> used_;
};

}  // namespace loyalty
