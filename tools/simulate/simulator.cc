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
  return c;
}

}  // namespace loyalty::simulate
