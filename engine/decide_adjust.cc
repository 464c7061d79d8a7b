// Manual adjustments: an operator credits or debits points, or moves the
// customer to a tier (invitation-only tiers are reached only this way). The
// ledger entry carries the reason code and the operator id.
#include <algorithm>

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
  std::replace(state.cards.begin(), state.cards.end(), e.card, e.new_card);
  out.effects.new_card = e.new_card;
  out.effects.retired_cards = {e.card};
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
