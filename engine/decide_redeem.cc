// Redemption: points become a discount on the basket being paid.
#include "engine/decide.h"
#include "engine/lots.h"

namespace loyalty {

void DecideRedeem(const DecideInput& in, CustomerState& state, DecideResult& out) {
  const Event& e = in.event;
  const ProgramRules& p = in.rules.program;
  Decision& d = out.decision;
  const int64_t spendable = BalancesAt(state, in.now_ms).spendable;

  // Refusals in a fixed order, so the same request always gets the same one.
  if (e.points < p.min_redeem_points) {
    d.outcome = Outcome::kBelowMinimumRedemption;
    d.message = "at least " + std::to_string(p.min_redeem_points) + " points per redemption";
    return;
  }
  const int64_t discount = e.points * p.point_value_minor;
  if (discount * 1000 > e.basket_total_minor * p.max_share_of_basket_permille) {
    d.outcome = Outcome::kExceedsBasketShare;
    d.message = "points may pay at most " + std::to_string(p.max_share_of_basket_permille / 10) +
                "% of the basket";
    return;
  }
  if (spendable < e.points) {
    d.outcome = Outcome::kInsufficientPoints;
    d.message = "asked for " + std::to_string(e.points) + " points, " + std::to_string(spendable) +
                " are spendable";
    return;
  }
  out.effects.ledger.push_back(SpendLots(state, e.points, e.transaction_id, in.now_ms));
  d.outcome = Outcome::kApplied;
  d.points_spent = e.points;
  d.discount_minor = discount;
  out.effects.txn.emplace().points_spent = e.points;
}

}  // namespace loyalty
