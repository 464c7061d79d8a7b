// Redemption: points become a discount on the basket being paid; a
// cancellation gives them back with their original expiry.
#include "engine/decide.h"
#include "engine/lots.h"
#include "engine/profile.h"

namespace loyalty {

// Checks a redemption of `points` against `basket_minor` (the refusals in a
// fixed order, so the same request always gets the same one) and spends
// them. False (with the refusal in `out.decision`) when refused.
bool SpendForBasket(const DecideInput& in, CustomerState& state, int64_t points,
                    int64_t basket_minor, DecideResult& out, TxnRecord& rec) {
  const ProgramRules& p = in.rules.program;
  Decision& d = out.decision;
  if (points < p.min_redeem_points) {
    d.outcome = Outcome::kBelowMinimumRedemption;
    d.message = "at least " + std::to_string(p.min_redeem_points) + " points per redemption";
    return false;
  }
  const int64_t discount = points * p.point_value_minor;
  if (discount * 1000 > basket_minor * p.max_share_of_basket_permille) {
    d.outcome = Outcome::kExceedsBasketShare;
    d.message = "points may pay at most " + std::to_string(p.max_share_of_basket_permille / 10) +
                "% of the basket";
    return false;
  }
  const int64_t spendable = BalancesAt(state, in.now_ms).spendable;
  if (spendable < points) {
    d.outcome = Outcome::kInsufficientPoints;
    d.message = "asked for " + std::to_string(points) + " points, " + std::to_string(spendable) +
                " are spendable";
    return false;
  }
  out.effects.ledger.push_back(
      SpendLots(state, points, in.event.transaction_id, in.now_ms, &rec.spent));
  rec.points_spent = points;
  d.points_spent = points;
  d.discount_minor = discount;
  return true;
}

void DecideRedeem(const DecideInput& in, CustomerState& state, DecideResult& out) {
  TxnRecord rec;
  if (!SpendForBasket(in, state, in.event.points, in.event.basket_total_minor, out, rec)) return;
  ProfileRedemption(state, in.event.points, out.decision.discount_minor, 1);
  out.decision.outcome = Outcome::kApplied;
  out.effects.txn = std::move(rec);
}

void DecideCancelRedeem(const DecideInput& in, CustomerState& state, DecideResult& out) {
  const Event& e = in.event;
  Decision& d = out.decision;
  if (in.original == nullptr || in.original->kind != EventKind::kRedeem ||
      in.original->outcome != Outcome::kApplied || in.original->customer_id != state.customer_id) {
    d.outcome = Outcome::kNotCancellable;
    d.message = e.original_transaction_id + " is not a redemption by card " + e.card;
    return;
  }
  if (in.original->cancelled) {
    d.outcome = Outcome::kAlreadyCancelled;
    d.message = e.original_transaction_id + " was cancelled before";
    return;
  }
  TxnRecord original = *in.original;
  const int64_t back = original.points_spent - original.points_refunded;
  if (back > 0) {
    out.effects.ledger.push_back(RestoreSlices(state, original.spent, original.points_refunded,
                                               back, e.transaction_id, in.now_ms));
  }
  // The discount is valued at today's point value (the record keeps points only).
  ProfileRedemption(state, -back, -back * in.rules.program.point_value_minor, -1);
  original.points_refunded = original.points_spent;
  original.cancelled = true;
  d.outcome = Outcome::kApplied;
  d.points_refunded = back;
  out.effects.original = std::move(original);
}

}  // namespace loyalty
