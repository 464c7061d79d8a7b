// Campaign budgets: a rule with `budget_points` may award at most that many
// points across all customers, an offer with `budget_redemptions` be redeemed
// at most that many times.
//
// The core's budget handling is pure. A decision reads what is used
// (BudgetsUsed, a plain value it never changes) and proposes draws
// (Effects::budget_draws, gathered in a BudgetDraws); its caller applies them
// before staging the decision, all or none: the runtime against the book all
// shards share (and decides again when another shard took what was left in
// the meantime), the simulation against its own BudgetsUsed. A refused
// decision proposes nothing, so it leaves every budget as it was.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/rules.h"

namespace loyalty {

// Budgets are named: an earn rule's points by its id, an offer's redemptions
// by OfferBudgetId (offers.h).
struct BudgetDraw {
  std::string id;
  int64_t limit = 0;   // the budget's size
  int64_t amount = 0;  // > 0
  friend bool operator==(const BudgetDraw&, const BudgetDraw&) = default;
};

// What is used of each budget.
class BudgetsUsed {
 public:
  int64_t Used(const std::string& id) const {
    auto it = used_.find(id);
    return it == used_.end() ? 0 : it->second;
  }
  // What is left of budget `id` of size `limit`.
  int64_t Left(const std::string& id, int64_t limit) const {
    const int64_t u = Used(id);
    return limit > u ? limit - u : 0;
  }
  // Whether every draw fits what is left (draws name each id once).
  bool Fits(const std::vector<BudgetDraw>& draws) const {
    for (const BudgetDraw& d : draws) {
      if (d.amount > Left(d.id, d.limit)) return false;
    }
    return true;
  }
  // Precondition: Fits(draws).
  void Apply(const std::vector<BudgetDraw>& draws) {
    for (const BudgetDraw& d : draws) used_[d.id] += d.amount;
  }
  void Add(const std::string& id, int64_t used) { used_[id] += used; }
  const std::map<std::string, int64_t>& all() const { return used_; }
  friend bool operator==(const BudgetsUsed&, const BudgetsUsed&) = default;

 private:
  std::map<std::string, int64_t> used_;
};

// One decision's draws on top of what is used: the decision's own scratch.
class BudgetDraws {
 public:
  // `used` null: every budget counts as spent (budgeted rules give nothing).
  explicit BudgetDraws(const BudgetsUsed* used) : used_(used) {}

  // What is left of budget `id` once this decision's draws are taken.
  int64_t Left(const std::string& id, int64_t limit) const {
    if (used_ == nullptr) return 0;
    const int64_t left = used_->Left(id, limit) - Drawn(id);
    return left > 0 ? left : 0;
  }
  // Proposes up to `want` from budget `id`; returns what it got (0 when spent).
  int64_t Take(const std::string& id, int64_t limit, int64_t want) {
    const int64_t left = Left(id, limit);
    const int64_t granted = want < left ? want : left;
    if (granted <= 0) return 0;
    for (BudgetDraw& d : draws_) {
      if (d.id == id) {
        d.amount += granted;
        return granted;
      }
    }
    draws_.push_back({id, limit, granted});
    return granted;
  }
  int64_t Take(const EarnRule& rule, int64_t want) {
    return Take(rule.id, rule.budget_points, want);
  }
  const std::vector<BudgetDraw>& draws() const { return draws_; }

 private:
  int64_t Drawn(const std::string& id) const {
    for (const BudgetDraw& d : draws_) {
      if (d.id == id) return d.amount;
    }
    return 0;
  }
  const BudgetsUsed* used_;
  std::vector<BudgetDraw> draws_;
};

}  // namespace loyalty
