// World: the core driven the way a shard drives it, in memory. It loads the
// inputs, calls Decide, applies the effects, and keeps the ledger, so a test
// (or a scenario) can tell a story event by event and check the ledger
// invariant after each step. Not a fake of the store: it has no I/O to fake.
#pragma once

#include <map>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include "engine/decide.h"

namespace loyalty::testing {

class World {
 public:
  explicit World(RuleSet rules = {}) : rules_(std::move(rules)) {}

  DecideResult Apply(const Event& e, TimeMs now_ms) {
    const CustomerState* customer = nullptr;
    if (auto it = card_to_customer_.find(e.card); it != card_to_customer_.end()) {
      customer = &customers_.at(it->second);
    }
    const TxnRecord* prior = Find(e.transaction_id);
    const TxnRecord* original = Find(e.original_transaction_id);
    DecideResult r = Decide(DecideInput{e, customer, prior, original, rules_, now_ms, &budgets_,
                                        rfm_ ? &*rfm_ : nullptr});
    if (r.replay) return r;
    budgets_.Apply(r.effects.budget_draws);  // one decider: its draws always fit
    Keep(r, e.card);
    return r;
  }

  // The periodic sweep over every customer; returns how many changed.
  int SweepAll(TimeMs now_ms) {
    int changed = 0;
    std::vector<std::string> ids;
    for (const auto& [id, state] : customers_) ids.push_back(id);
    for (const std::string& id : ids) {
      DecideResult r = Sweep(customers_.at(id), rules_, now_ms);
      if (!r.effects.state) continue;
      ++changed;
      Keep(r, "");
    }
    return changed;
  }

  // The periodic RFM job: population quantiles as of `now_ms`.
  void RecomputeRfm(TimeMs now_ms) {
    std::vector<RfmInput> inputs;
    for (const auto& [id, state] : customers_) inputs.push_back(RfmInputOf(state));
    rfm_ = ComputeRfmQuantiles(inputs, now_ms);
  }

  // What a lookup shows: balances, signals, greeting hints, offers.
  Profile View(const std::string& card, TimeMs now_ms) const {
    return ViewProfile(Customer(card), now_ms, rules_, rfm_ ? &*rfm_ : nullptr, &budgets_);
  }
  Signals SignalsOf(const std::string& card, TimeMs now_ms) const {
    return loyalty::SignalsOf(Customer(card), rules_, now_ms, rfm_ ? &*rfm_ : nullptr);
  }

  void SetRules(RuleSet rules) { rules_ = std::move(rules); }
  const RuleSet& rules() const { return rules_; }
  const BudgetsUsed& budgets() const { return budgets_; }

 private:
  void Keep(DecideResult& r, const std::string& card) {
    Effects& fx = r.effects;
    if (fx.txn) txns_[fx.txn->transaction_id] = *fx.txn;
    if (fx.original) txns_[fx.original->transaction_id] = *fx.original;
    for (const LedgerEntry& entry : fx.ledger) ledger_[entry.customer_id].push_back(entry);
    if (fx.state) {
      if (fx.link_card) card_to_customer_[card] = fx.state->customer_id;
      customers_[fx.state->customer_id] = *fx.state;
    }
  }

 public:
  const CustomerState& Customer(const std::string& card) const {
    return customers_.at(card_to_customer_.at(card));
  }
  const std::vector<LedgerEntry>& Ledger(const std::string& card) const {
    return ledger_.at(card_to_customer_.at(card));
  }
  int64_t LedgerSum(const std::string& card) const {
    int64_t sum = 0;
    for (const LedgerEntry& e : Ledger(card)) sum += e.points;
    return sum;
  }
  // Balance == sum(ledger), seqs without gaps, state invariants: for all.
  bool Consistent() const {
    for (const auto& [id, state] : customers_) {
      if (!CheckState(state).ok()) return false;
      int64_t sum = 0;
      uint64_t seq = 1;
      auto it = ledger_.find(id);
      if (it != ledger_.end()) {
        for (const LedgerEntry& e : it->second) {
          if (e.seq != seq++) return false;
          sum += e.points;
        }
      }
      if (sum != state.balance() || seq != state.next_ledger_seq) return false;
    }
    return true;
  }
  const TxnRecord* Find(const std::string& txn) const {
    auto it = txns_.find(txn);
    return it == txns_.end() ? nullptr : &it->second;
  }

 private:
  RuleSet rules_;
  BudgetsUsed budgets_;
  std::optional<RfmQuantiles> rfm_;
  std::map<std::string, std::string> card_to_customer_;
  std::map<std::string, CustomerState> customers_;
  std::map<std::string, TxnRecord> txns_;
  std::map<std::string, std::vector<LedgerEntry>> ledger_;
};

}  // namespace loyalty::testing
