#include "tools/simulate/simulator.h"

#include <algorithm>

#include "engine/validate.h"
#include "proto/wire_codec.h"

namespace loyalty::simulate {
namespace {

template <typename Map>
const typename Map::mapped_type* Find(const Map& map, const std::string& key) {
  if (key.empty()) return nullptr;
  auto it = map.find(key);
  return it == map.end() ? nullptr : &it->second;
}

bool Contains(const std::vector<std::string>& words, const std::string& word) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

// Which earn rules with line conditions (category, SKU, brand) some line of
// the events satisfies: a rule that none does is most likely a typo or a
// category the shop does not sell, and simulates to nothing.
class LineCoverage {
 public:
  void AddRules(const RuleSet& rules, const std::string& which) {
    for (const EarnRule& r : rules.earn_rules) {
      if (!r.HasLineConditions()) continue;
      bool known = false;
      for (const Watched& w : watched_) known = known || w.rule->id == r.id;
      if (!known) watched_.push_back({&r, which, false});
    }
  }
  void See(const Event& e) {
    if (e.kind != EventKind::kPurchase) return;
    for (Watched& w : watched_) {
      for (std::size_t i = 0; i < e.lines.size() && !w.matched; ++i)
        w.matched = Matches(*w.rule, e.lines[i]);
    }
  }
  std::vector<std::string> Warnings() const {
    std::vector<std::string> out;
    for (const Watched& w : watched_) {
      if (w.matched) continue;
      out.push_back("rule '" + w.rule->id + "' (" + w.which + ") matched no line of the events (" +
                    Conditions(*w.rule) + ")");
    }
    return out;
  }

 private:
  struct Watched {
    const EarnRule* rule;
    std::string which;
    bool matched;
  };
  static bool Matches(const EarnRule& r, const Line& l) {
    return (r.categories.empty() || Contains(r.categories, l.category)) &&
           (r.skus.empty() || Contains(r.skus, l.sku)) &&
           (r.brands.empty() || Contains(r.brands, l.brand));
  }
  static std::string Conditions(const EarnRule& r) {
    std::string out;
    auto add = [&](const char* name, const std::vector<std::string>& words) {
      if (words.empty()) return;
      out += (out.empty() ? "" : "; ") + std::string(name);
      for (std::size_t i = 0; i < words.size(); ++i) out += (i == 0 ? " " : ", ") + words[i];
    };
    add("categories", r.categories);
    add("SKUs", r.skus);
    add("brands", r.brands);
    return out;
  }
  std::vector<Watched> watched_;
};

// The currencies must agree before a single event counts (see Compare).
Status CheckCurrencies(const RuleSet& baseline, const RuleSet& candidate) {
  if (baseline.program.currency == candidate.program.currency) return Status::Ok();
  return Status::Invalid("the candidate's currency " + candidate.program.currency +
                         " is not the baseline's " + baseline.program.currency +
                         ": their costs would not compare, and the events can be in only one; "
                         "simulate rules of one currency");
}

Status CheckEventCurrency(const Event& e, const RuleSet& rules) {
  if (e.currency.empty() || e.currency == rules.program.currency) return Status::Ok();
  return Status::Invalid("the events are in " + e.currency + " (transaction " + e.transaction_id +
                         ") but the rules' currency is " + rules.program.currency +
                         ": every sale would count as invalid; simulate with rules in " +
                         e.currency);
}

}  // namespace

Run::Run(std::shared_ptr<const RuleSet> rules) : rules_(std::move(rules)) {
  totals_.point_value_minor = rules_->program.point_value_minor;
}

void Run::Apply(const Event& e, TimeMs now_ms) {
  if (auto bad = ValidateEvent(e, *rules_, now_ms)) {
    totals_.invalid[bad->field] += 1;
    totals_.invalid_why.emplace(bad->field, bad->reason);
    return;
  }
  if (now_ms >= rfm_next_ms_) {
    std::vector<RfmInput> inputs;
    inputs.reserve(customers_.size());
    for (const auto& [id, state] : customers_) inputs.push_back(RfmInputOf(state));
    rfm_ = ComputeRfmQuantiles(inputs, now_ms);
    rfm_next_ms_ = now_ms + kMsPerDay;
  }
  const CustomerState* customer = nullptr;
  if (const std::string* id = Find(card_to_customer_, e.card)) customer = Find(customers_, *id);
  DecideResult r = Decide(DecideInput{e, customer, Find(txns_, e.transaction_id),
                                      Find(txns_, e.original_transaction_id), *rules_, now_ms,
                                      &budgets_, &rfm_});
  totals_.events += 1;
  if (r.replay) {
    totals_.retries += 1;
    return;
  }
  Effects& fx = r.effects;
  budgets_.Apply(fx.budget_draws);  // one decider: its draws always fit
  for (const LedgerEntry& entry : fx.ledger) {
    if (entry.kind == LedgerKind::kExpire) totals_.points_expired -= entry.points;
    if (entry.kind == LedgerKind::kAdjust) totals_.points_adjusted += entry.points;
  }
  if (fx.txn) txns_[fx.txn->transaction_id] = std::move(*fx.txn);
  if (fx.original) txns_[fx.original->transaction_id] = std::move(*fx.original);
  if (fx.state) {
    if (fx.link_card) card_to_customer_[e.card] = fx.state->customer_id;
    r.decision.customer_id = fx.state->customer_id;
    customers_[fx.state->customer_id] = std::move(*fx.state);
  }
  Count(r);
}

void Run::Count(const DecideResult& r) {
  const Decision& d = r.decision;
  if (d.outcome != Outcome::kApplied) {
    totals_.refused[OutcomeName(d.outcome)] += 1;
    return;
  }
  totals_.applied += 1;
  totals_.points_issued += d.points_earned;
  totals_.points_reversed += d.points_reversed;
  totals_.points_spent += d.points_spent;
  totals_.points_refunded += d.points_refunded;
  for (const RuleAward& a : d.awards) totals_.points_by_rule[a.rule_id] += a.points;
  totals_.offers_redeemed += static_cast<int64_t>(d.offers_applied.size());
  totals_.offer_discount_minor += d.offer_discount_minor;
  if (d.points_earned != 0 || d.points_reversed != 0) {
    net_points_[d.customer_id] += d.points_earned - d.points_reversed;
  }
  if (d.points_earned > 0) earned_[d.customer_id] += d.points_earned;
}

RunTotals Run::Finish(TimeMs now_ms) {
  for (auto& [id, state] : customers_) {
    DecideResult swept = Sweep(state, *rules_, now_ms);
    if (!swept.effects.state) continue;
    for (const LedgerEntry& entry : swept.effects.ledger) {
      if (entry.kind == LedgerKind::kExpire) totals_.points_expired -= entry.points;
    }
    state = std::move(*swept.effects.state);
  }
  totals_.customers = customers_.size();
  totals_.customers_earning = earned_.size();
  for (const auto& [id, state] : customers_) {
    bool offered = false;
    for (const OfferUse& u : state.offer_uses) {
      (u.holdout ? totals_.offers_held_out : totals_.offers_issued) += u.issued;
      offered = offered || !u.holdout;
    }
    totals_.customers_offered += offered;
  }
  return totals_;
}

Result<Comparison> Compare(EventSource& source, std::shared_ptr<const RuleSet> baseline,
                           std::shared_ptr<const RuleSet> candidate) {
  Comparison c;
  if (Status s = CheckCurrencies(*baseline, *candidate); !s.ok()) return s;
  LineCoverage coverage;
  coverage.AddRules(*candidate, "candidate");
  coverage.AddRules(*baseline, "baseline");
  const std::shared_ptr<const RuleSet> rules = candidate;
  bool currency_checked = false;
  Run base(std::move(baseline));
  Run cand(std::move(candidate));
  TimeMs now_ms = 0;
  while (true) {
    auto next = source.Next();
    if (!next.ok()) return next.status();
    if (!*next) break;
    c.requests += 1;
    Event e;
    if (auto error = wire::DecodeRequest(**next, &e)) {
      c.undecodable[error->message()] += 1;
      continue;
    }
    if (e.kind == EventKind::kLookup) {
      c.lookups += 1;
      continue;
    }
    if (!currency_checked && !e.currency.empty()) {
      if (Status s = CheckEventCurrency(e, *rules); !s.ok()) return s;
      currency_checked = true;
    }
    coverage.See(e);
    if (e.event_time_ms > 0) {
      now_ms = std::max(now_ms, e.event_time_ms);
      if (c.first_event_ms == 0) c.first_event_ms = e.event_time_ms;
      c.last_event_ms = now_ms;
    }
    base.Apply(e, now_ms);
    cand.Apply(e, now_ms);
  }
  c.baseline = base.Finish(now_ms);
  c.candidate = cand.Finish(now_ms);
  const auto& a = base.net_points();
  const auto& b = cand.net_points();
  for (const auto& [id, points] : a) {
    const int64_t* other = Find(b, id);
    if (other == nullptr ? points != 0 : *other != points) c.customers_differ += 1;
  }
  for (const auto& [id, points] : b) {
    if (Find(a, id) == nullptr && points != 0) c.customers_differ += 1;
  }
  c.source_summary = source.Summary();
  c.warnings = coverage.Warnings();
  return c;
}

}  // namespace loyalty::simulate
