#include "engine/decide.h"

#include <algorithm>

#include "engine/earn.h"
#include "engine/greeting.h"
#include "engine/lots.h"
#include "engine/offers.h"
#include "engine/profile.h"
#include "engine/signals.h"
#include "engine/tiers.h"

namespace loyalty {

// Per-kind deciders (decide_*.cc). Each gets a state whose expired lots are
// already removed, and a result whose ledger holds that expiry entry.
DecideResult DecideEnroll(const DecideInput& in);
void DecidePurchase(const DecideInput& in, CustomerState& state, DecideResult& out);
void DecideReturn(const DecideInput& in, CustomerState& state, DecideResult& out);
void DecideRedeem(const DecideInput& in, CustomerState& state, DecideResult& out);
void DecideAdjust(const DecideInput& in, CustomerState& state, DecideResult& out);
void DecideCancelRedeem(const DecideInput& in, CustomerState& state, DecideResult& out);
void DecideFeedback(const DecideInput& in, CustomerState& state, DecideResult& out);
void DecideConsent(const DecideInput& in, CustomerState& state, DecideResult& out);
void DecideReplaceCard(const DecideInput& in, CustomerState& state, DecideResult& out);
void DecideMerge(const DecideInput& in, CustomerState& state, DecideResult& out);
DecideResult DecideLinkCard(const DecideInput& in);
void DecideErase(const DecideInput& in, CustomerState& state, DecideResult& out);

namespace {

DecideResult Refuse(Outcome outcome, std::string message, const DecideInput& in) {
  DecideResult r;
  r.decision.outcome = outcome;
  r.decision.message = std::move(message);
  r.decision.transaction_id = in.event.transaction_id;
  r.decision.rules_version = in.rules.version;
  return r;
}

// A card enrolled by its first purchase has been a member since the sale,
// which a register that was offline sends late: enrolment takes the event
// time (never later than now), as the purchase does.
CustomerState NewCustomer(const Event& e, TimeMs now_ms, const RuleSet& rules) {
  CustomerState s;
  s.customer_id = e.customer_id.empty() ? e.card : e.customer_id;
  s.cards = {e.card};
  const TimeMs since_ms = e.kind == EventKind::kPurchase && e.event_time_ms > 0
                              ? std::min(e.event_time_ms, now_ms)
                              : now_ms;
  s.enrolled_at_ms = since_ms;
  s.birthday = e.birthday;
  if (e.kind == EventKind::kEnroll) ProfileConsent(s, e, now_ms);
  s.tier = rules.base_tier;
  s.tier_since_ms = since_ms;
  return s;
}

// Enrolment bonuses for a customer who signs up (Enroll; a card enrolled by
// its first purchase has not signed up). Not tied to a basket, so no return
// takes them back.
void GrantEnrolBonus(const DecideInput& in, CustomerState& s, DecideResult& out) {
  Event at = in.event;
  if (at.event_time_ms == 0) at.event_time_ms = in.now_ms;
  BudgetDraws draws(in.budgets);
  Earning bonus = EarnOnEnrol(EarnInput{at, s, in.rules, &draws});
  out.effects.budget_draws = draws.draws();
  const std::string txn =
      in.event.transaction_id.empty() ? "enrol:" + in.event.card : in.event.transaction_id;
  for (const RuleAward& a : bonus.awards) {
    out.effects.ledger.push_back(
        EarnLot(s, a.points, txn, a.rule_id, at.event_time_ms, in.now_ms, in.rules.program));
    out.decision.points_earned += a.points;
    out.decision.awards.push_back(a);
  }
}

}  // namespace

DecideResult DecideEnroll(const DecideInput& in) {
  if (in.customer != nullptr) {
    DecideResult r =
        Refuse(Outcome::kAlreadyEnrolled, "card " + in.event.card + " is already enrolled", in);
    r.decision.customer_id = in.customer->customer_id;
    Profile p = ViewProfile(*in.customer, in.now_ms);
    r.decision.balances = p.balances;
    r.decision.tier = p.state.tier;
    return r;
  }
  DecideResult r;
  CustomerState s = NewCustomer(in.event, in.now_ms, in.rules);
  s.version = 1;
  GrantEnrolBonus(in, s, r);
  r.decision.balances = BalancesAt(s, in.now_ms);
  r.decision.next_expiry = NextExpiryOf(s, in.now_ms);
  r.decision.outcome = Outcome::kApplied;
  r.decision.customer_id = s.customer_id;
  r.decision.tier = s.tier;
  r.decision.lifecycle = static_cast<uint8_t>(Lifecycle::kProspect);
  s.lifecycle_stage = r.decision.lifecycle;
  r.decision.rules_version = in.rules.version;
  r.effects.state = std::move(s);
  r.effects.link_card = true;
  return r;
}

// A second card for the customer of event.card (Enroll with link_to_card at
// a till). The runtime has checked the new card belongs to nobody; the same
// link again is answered like a second enrolment. The customer keeps their
// shard: the new card goes last, the first stays where events are routed.
DecideResult DecideLinkCard(const DecideInput& in) {
  const Event& e = in.event;
  if (in.customer == nullptr) {
    return Refuse(Outcome::kUnknownCard, "card " + e.card + " is not enrolled", in);
  }
  const CustomerState& c = *in.customer;
  DecideResult r;
  if (HoldsCard(c, e.new_card)) {
    r = Refuse(Outcome::kAlreadyEnrolled, "card " + e.new_card + " is already this customer's", in);
  } else {
    CustomerState s = c;
    s.cards.push_back(e.new_card);  // last: the first card still routes them
    s.version += 1;
    r.decision.outcome = Outcome::kApplied;
    r.decision.rules_version = in.rules.version;
    r.effects.new_card = e.new_card;
    r.effects.state = std::move(s);
  }
  const CustomerState& now = r.effects.state ? *r.effects.state : c;
  Profile p = ViewProfile(now, in.now_ms);
  r.decision.customer_id = now.customer_id;
  r.decision.balances = p.balances;
  r.decision.tier = now.tier;
  return r;
}

DecideResult Decide(const DecideInput& in) {
  const Event& e = in.event;
  LOYALTY_CHECK(e.kind != EventKind::kLookup);
  if (in.prior != nullptr) {
    if (in.prior->fingerprint == Fingerprint(e)) {
      DecideResult r;
      r.replay = true;
      return r;
    }
    return Refuse(Outcome::kDuplicateDifferentPayload,
                  "transaction " + e.transaction_id +
                      " was already used with a different payload; use a new transaction id",
                  in);
  }
  if (e.kind == EventKind::kEnroll) return DecideEnroll(in);
  if (e.kind == EventKind::kLinkCard) return DecideLinkCard(in);

  // Purchases enrol an unknown card on the spot (cards are handed out at the
  // till); returns and redemptions need a customer who exists.
  CustomerState state;
  bool new_customer = false;
  if (in.customer != nullptr) {
    state = *in.customer;
  } else if (e.kind == EventKind::kPurchase) {
    state = NewCustomer(e, in.now_ms, in.rules);
    new_customer = true;
  } else {
    return Refuse(Outcome::kUnknownCard, "card " + e.card + " is not enrolled", in);
  }

  DecideResult out;
  out.decision.transaction_id = e.transaction_id;
  out.decision.customer_id = state.customer_id;
  out.decision.rules_version = in.rules.version;
  if (auto expired = ExpireLots(state, in.now_ms)) out.effects.ledger.push_back(*expired);
  const std::string tier_before = state.tier;

  switch (e.kind) {
    case EventKind::kPurchase: DecidePurchase(in, state, out); break;
    case EventKind::kReturn: DecideReturn(in, state, out); break;
    case EventKind::kRedeem: DecideRedeem(in, state, out); break;
    case EventKind::kAdjust: DecideAdjust(in, state, out); break;
    case EventKind::kCancelRedeem: DecideCancelRedeem(in, state, out); break;
    case EventKind::kFeedback: DecideFeedback(in, state, out); break;
    case EventKind::kConsent: DecideConsent(in, state, out); break;
    case EventKind::kReplaceCard: DecideReplaceCard(in, state, out); break;
    case EventKind::kErase: DecideErase(in, state, out); break;
    case EventKind::kMerge: DecideMerge(in, state, out); break;
    default: LOYALTY_CHECK(false);
  }
  // Over a host limit: refused as an invalid event, so nothing is written.
  if (out.decision.outcome == Outcome::kPointsPerEventOverMax) {
    return Refuse(out.decision.outcome, out.decision.message, in);
  }
  if (out.decision.outcome == Outcome::kApplied) ReviewTier(state, in.rules, in.now_ms);
  if (state.tier != tier_before) out.decision.previous_tier = tier_before;
  // A late sale (an offline register catching up) may earn a lot that is
  // already past its expiry: it expires in the same decision.
  if (auto expired = ExpireLots(state, in.now_ms)) out.effects.ledger.push_back(*expired);

  // Every state-changing event leaves a record, refusals included, so a
  // retry gets the same answer. State is written when anything in it moved.
  TxnRecord& rec = out.effects.txn ? *out.effects.txn : out.effects.txn.emplace();
  rec.transaction_id = e.transaction_id;
  rec.fingerprint = Fingerprint(e);
  rec.kind = e.kind;
  rec.outcome = out.decision.outcome;
  rec.customer_id = state.customer_id;
  rec.event_time_ms = e.event_time_ms;
  rec.store_id = e.store_id;

  // Expired lots are gone already: balances come straight from the state.
  out.decision.balances = BalancesAt(state, in.now_ms);
  out.decision.next_expiry = NextExpiryOf(state, in.now_ms);
  out.decision.tier = state.tier;
  out.decision.lifecycle = static_cast<uint8_t>(
      LifecycleOf(state, in.rules.lifecycle, std::max(e.event_time_ms, state.last_purchase_ms)));
  const bool changed = new_customer || !out.effects.ledger.empty() || out.effects.original ||
                       out.decision.outcome == Outcome::kApplied;
  if (changed) {
    state.lifecycle_stage = out.decision.lifecycle;
    if (new_customer) out.effects.link_card = true;
    state.version += 1;
    out.effects.state = std::move(state);
  }
  return out;
}

DecideResult Sweep(const CustomerState& customer, const RuleSet& rules, TimeMs now_ms) {
  DecideResult out;
  CustomerState state = customer;
  if (auto expired = ExpireLots(state, now_ms)) out.effects.ledger.push_back(*expired);
  const bool tier_changed = ReviewTier(state, rules, now_ms);
  // Lots about to expire are marked: the outbox tells the customer once each.
  for (Lot& lot : state.lots) {
    if (NoticeDue(lot, rules.program.expiry_notice_days, now_ms)) lot.noticed = true;
  }
  if (ChurnAlertDue(state, rules.churn, now_ms))
    state.churn_alerted_after_ms = state.last_purchase_ms;
  if (CommentExpired(state, rules.program, now_ms)) state.nps_comment.clear();
  if (LifecycleMoved(state, rules.lifecycle, now_ms)) {
    state.lifecycle_stage = static_cast<uint8_t>(LifecycleOf(state, rules.lifecycle, now_ms));
  }
  if (!out.effects.ledger.empty() || tier_changed || state != customer) {
    state.version += 1;
    out.decision.customer_id = state.customer_id;
    out.decision.tier = state.tier;
    if (tier_changed) out.decision.previous_tier = customer.tier;
    out.decision.balances = BalancesAt(state, now_ms);
    out.effects.state = std::move(state);
  }
  return out;
}

Profile ViewProfile(const CustomerState& state, TimeMs now_ms) {
  return Profile{state, BalancesAt(state, now_ms), NextExpiryOf(state, now_ms), {}, {}, {}};
}

Profile ViewProfile(const CustomerState& state, TimeMs now_ms, const RuleSet& rules,
                    const RfmQuantiles* rfm, const BudgetsUsed* budgets) {
  Profile p = ViewProfile(state, now_ms);
  p.signals = SignalsOf(state, rules, now_ms, rfm);
  p.hints = GreetingHints(state, *p.signals, rules, now_ms);
  p.offers = ShowOffers(state, ChooseOffers(state, *p.signals, rules, now_ms, BudgetDraws(budgets)),
                        rules, now_ms);
  return p;
}

}  // namespace loyalty
