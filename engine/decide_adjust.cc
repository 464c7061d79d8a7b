// Manual adjustments: an operator credits or debits points, or moves the
// customer to a tier (invitation-only tiers are reached only this way). The
// ledger entry carries the reason code and the operator id.
#include "engine/decide.h"
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

}  // namespace loyalty
