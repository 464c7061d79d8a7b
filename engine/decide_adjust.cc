// Manual adjustments: an operator credits or debits points, or moves the
// customer to a tier (invitation-only tiers are reached only this way). The
// ledger entry carries the reason code and the operator id.
#include <algorithm>

#include "engine/check.h"
#include "engine/decide.h"
#include "engine/fnv.h"
#include "engine/lots.h"
#include "engine/profile.h"
#include "engine/tiers.h"

namespace loyalty {

void DecideAdjust(const DecideInput& in, CustomerState& state, DecideResult& out) {
  const Event& e = in.event;
  Decision& d = out.decision;
  if (e.points < 0 && state.balance() < -e.points) {
    d.outcome = Outcome::kInsufficientPoints;
    d.message = "cannot take " + std::to_string(-e.points) + " points; the balance is " +
                std::to_string(state.balance());
    return;
  }
  if (e.points > 0) {
    LedgerEntry entry =
        CreditLot(state, e.points, e.transaction_id, e.reason, in.now_ms, in.rules.program);
    entry.operator_id = e.operator_id;
    out.effects.ledger.push_back(std::move(entry));
    d.points_earned = e.points;
  } else if (e.points < 0) {
    LedgerEntry entry = DebitLots(state, -e.points, e.transaction_id, e.reason, in.now_ms);
    entry.operator_id = e.operator_id;
    out.effects.ledger.push_back(std::move(entry));
    d.points_spent = -e.points;
  }
  if (!e.set_tier.empty() && e.set_tier != state.tier) {
    SetTier(state, in.rules, e.set_tier, in.now_ms);
  }
  d.outcome = Outcome::kApplied;
  out.effects.txn.emplace();
}

// Feedback: the customer's score joins the profile (the latest one counts).
void DecideFeedback(const DecideInput& in, CustomerState& state, DecideResult& out) {
  ProfileFeedback(state, in.event);
  out.decision.outcome = Outcome::kApplied;
}

void DecideConsent(const DecideInput& in, CustomerState& state, DecideResult& out) {
  ProfileConsent(state, in.event, in.now_ms);
  out.decision.outcome = Outcome::kApplied;
}

// The shard has checked that the new card belongs to nobody and was never
// retired.
void DecideReplaceCard(const DecideInput& in, CustomerState& state, DecideResult& out) {
  const Event& e = in.event;
  // The customer stays on the shard of the card they were routed by.
  if (state.route_card.empty()) state.route_card = RouteCard(state);
  std::replace(state.cards.begin(), state.cards.end(), e.card, e.new_card);
  out.effects.new_card = e.new_card;
  out.effects.retired_cards = {e.card};
  out.decision.outcome = Outcome::kApplied;
}

namespace {

// Two months' counts as one.
void MergeMonths(std::vector<MonthStat>& into, const std::vector<MonthStat>& from) {
  for (const MonthStat& m : from) {
    auto it = std::find_if(into.begin(), into.end(),
                           [&](const MonthStat& x) { return x.month == m.month; });
    if (it == into.end()) {
      into.push_back(m);
    } else {
      it->spend_minor += m.spend_minor;
      it->visits += m.visits;
    }
  }
  std::sort(into.begin(), into.end(),
            [](const MonthStat& a, const MonthStat& b) { return a.month < b.month; });
  if (into.size() > kMonthsKept) into.erase(into.begin(), into.end() - kMonthsKept);
}

TimeMs EarliestSet(TimeMs a, TimeMs b) { return a == 0 ? b : (b == 0 ? a : std::min(a, b)); }

}  // namespace

// Two customers become one: `in.merged` (the customer of event.merged_card)
// moves into `state`. Cards, points (each lot with its dates, by a pair of
// kMerge ledger entries), purchase history and counts join the survivor;
// the survivor's own profile (birthday, consent, affinities, feedback) wins
// where both have one. The tier: the higher of the two, then the usual
// review. The merged record stays, emptied, naming the survivor, so its
// ledger still sums to its (zero) balance.
void DecideMerge(const DecideInput& in, CustomerState& state, DecideResult& out) {
  LOYALTY_CHECK(in.merged != nullptr && in.merged->customer_id != state.customer_id);
  CustomerState m = *in.merged;
  const std::string& txn = in.event.transaction_id;
  for (LedgerEntry& entry : MoveLots(m, state, txn, in.now_ms)) {
    entry.operator_id = in.event.operator_id;
    out.effects.ledger.push_back(std::move(entry));
  }
  out.effects.moved_cards = m.cards;  // after the survivor's: their first card still routes them
  state.cards.insert(state.cards.end(), m.cards.begin(), m.cards.end());
  m.cards.clear();
  m.route_card.clear();
  m.merged_into = state.customer_id;
  state.enrolled_at_ms = EarliestSet(state.enrolled_at_ms, m.enrolled_at_ms);
  if (!state.birthday) state.birthday = m.birthday;
  state.lifetime_points += m.lifetime_points;
  state.visits += m.visits;
  state.spend_minor += m.spend_minor;
  state.gross_spend_minor += m.gross_spend_minor;
  state.items += m.items;
  state.returns += m.returns;
  state.returned_minor += m.returned_minor;
  state.redemptions += m.redemptions;
  state.redeemed_points += m.redeemed_points;
  state.redeemed_minor += m.redeemed_minor;
  state.offer_discount_minor += m.offer_discount_minor;
  state.offers_issued += m.offers_issued;
  state.offers_redeemed += m.offers_redeemed;
  state.feedbacks += m.feedbacks;
  state.first_purchase_ms = EarliestSet(state.first_purchase_ms, m.first_purchase_ms);
  state.last_purchase_ms = std::max(state.last_purchase_ms, m.last_purchase_ms);
  MergeMonths(state.months, m.months);
  if (state.nps_score < 0 && m.nps_score >= 0) {
    state.nps_score = m.nps_score;
    state.nps_at_ms = m.nps_at_ms;
  }
  const Tier* mine = in.rules.FindTier(state.tier);
  const Tier* theirs = in.rules.FindTier(m.tier);
  if (theirs != nullptr && (mine == nullptr || theirs > mine)) {  // tiers are listed low to high
    SetTier(state, in.rules, m.tier, in.now_ms);
  }
  // What moved is not kept twice: the merged record keeps its id, its
  // ledger and where it went.
  CustomerState left;
  left.customer_id = m.customer_id;
  left.enrolled_at_ms = m.enrolled_at_ms;
  left.version = m.version + 1;
  left.next_ledger_seq = m.next_ledger_seq;
  left.tier = m.tier;
  left.merged_into = m.merged_into;
  m = std::move(left);
  out.effects.merged_state = std::move(m);
  out.decision.outcome = Outcome::kApplied;
}

std::string ErasedId(const std::string& transaction_id) {
  Fnv f;
  f.Str("erased");
  f.Str(transaction_id);
  return std::string("erased-") + f.hex();
}

// Everything that says who the customer is goes; what accounting needs (the
// points, the ledger, the counts) stays under a pseudonym made from the
// erasure's transaction id, never from the card.
void DecideErase(const DecideInput& in, CustomerState& state, DecideResult& out) {
  out.effects.erased_from = state.customer_id;
  out.effects.retired_cards = state.cards;
  state.customer_id = ErasedId(in.event.transaction_id);
  state.cards.clear();
  state.route_card.clear();
  state.birthday.reset();
  state.nps_comment.clear();
  state.nps_store.clear();
  state.category_affinity.clear();
  state.brand_affinity.clear();
  state.store_affinity.clear();
  state.marketing_consent = Consent::kRefused;  // never a marketing event again
  state.consent_at_ms = in.now_ms;
  state.consent_source = "erased";
  out.decision.customer_id = state.customer_id;
  out.decision.outcome = Outcome::kApplied;
}

}  // namespace loyalty
