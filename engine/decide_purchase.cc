// Purchases earn; returns take back exactly what the returned lines earned.
#include <algorithm>
#include <map>
#include <optional>

#include "engine/check.h"
#include "engine/decide.h"
#include "engine/earn.h"
#include "engine/lots.h"
#include "engine/money.h"
#include "engine/offers.h"
#include "engine/profile.h"
#include "engine/tiers.h"

namespace loyalty {
namespace {

// Refuses a basket that would earn more than points_per_event_max, before
// any budget is drawn or point spent (the preview draws on a copy).
bool CheckPointsMax(const DecideInput& in, const CustomerState& state,
                    const std::vector<std::string>& segments, const BudgetDraws& draws,
                    Decision& d) {
  BudgetDraws peek = draws;
  const Earning preview = Earn(EarnInput{in.event, state, in.rules, &peek, &segments});
  const int64_t max = in.rules.program.limits.points_per_event_max;
  if (preview.total <= max) return true;
  d.outcome = Outcome::kPointsPerEventOverMax;
  d.message = "the basket would earn " + std::to_string(preview.total) +
              " points, above the maximum of " + std::to_string(max) +
              " points per event (program.limits.points_per_event_max)";
  return false;
}

}  // namespace

bool SpendForBasket(const DecideInput& in, CustomerState& state, int64_t points,
                    int64_t basket_minor, DecideResult& out, TxnRecord& rec);

namespace {

// The offers a basket's lines redeem: checked against the customer as they
// were before this sale. Their budgets are drawn by TakeOfferBudgets.
struct Redemption {
  const Offer* offer;
  std::size_t line;
};

bool CheckRedemptions(const DecideInput& in, const CustomerState& state, const Signals& before,
                      std::vector<Redemption>& out_list, Decision& d) {
  const Event& e = in.event;
  for (std::size_t i = 0; i < e.lines.size(); ++i) {
    if (e.lines[i].offer_id.empty()) continue;
    const Offer* o = in.rules.FindOffer(e.lines[i].offer_id);
    LOYALTY_CHECK(o != nullptr);  // validated
    if (auto why = WhyNotRedeemable(state, before, in.rules, *o, e.lines[i], e.event_time_ms)) {
      d.outcome = Outcome::kOfferNotAvailable;
      d.message = *why;
      return false;
    }
    out_list.push_back({o, i});
  }
  return true;
}

bool TakeOfferBudgets(const std::vector<Redemption>& list, BudgetDraws& draws, Decision& d) {
  for (const Redemption& r : list) {
    if (r.offer->budget_redemptions == 0) continue;
    const bool granted = draws.Take(OfferBudgetId(*r.offer), r.offer->budget_redemptions, 1) == 1;
    if (!granted) {
      d.outcome = Outcome::kOfferNotAvailable;
      const int64_t n = r.offer->budget_redemptions;
      d.message = "offer " + r.offer->id + " has used up its budget (" + std::to_string(n) +
                  (n == 1 ? " redemption)" : " redemptions)");
      return false;
    }
  }
  return true;
}

// Applies each redeemed offer's reward to its line and counts the use.
void ApplyRedemptions(const DecideInput& in, const std::vector<Redemption>& list,
                      CustomerState& state, TxnRecord& rec, DecideResult& out) {
  const Event& e = in.event;
  Decision& d = out.decision;
  for (const Redemption& r : list) {
    OfferApplied a = RewardOf(*r.offer, e.lines[r.line], static_cast<int32_t>(r.line));
    if (a.points > 0) {
      const std::string why = OfferBudgetId(*r.offer);
      out.effects.ledger.push_back(EarnLot(state, a.points, e.transaction_id, why, e.event_time_ms,
                                           in.now_ms, in.rules.program));
      rec.lines[r.line].points += a.points;  // a return of the line takes them back
      d.line_points[r.line] += a.points;
      d.points_earned += a.points;
      d.awards.push_back({why, a.points});
    }
    d.offer_discount_minor += a.discount_minor;
    state.offer_discount_minor += a.discount_minor;
    state.offers_redeemed += 1;
    RecordRedemption(state, *r.offer, e.event_time_ms);
    d.offers_applied.push_back(std::move(a));
  }
}

}  // namespace

void DecidePurchase(const DecideInput& in, CustomerState& state, DecideResult& out) {
  const Event& e = in.event;
  TxnRecord rec;
  int64_t basket_minor = 0;
  for (const Line& l : e.lines) basket_minor += l.line_total_minor;
  // Segments, offers and rules see the customer as they were before this sale.
  const Signals before = SignalsOf(state, in.rules, e.event_time_ms, in.rfm);
  // What this sale takes from campaign budgets: proposed here, applied by
  // the caller (Effects::budget_draws) only if the sale is.
  BudgetDraws draws(in.budgets);
  std::vector<Redemption> redemptions;
  if (!CheckRedemptions(in, state, before, redemptions, out.decision)) return;
  if (!CheckPointsMax(in, state, before.segments, draws, out.decision)) return;
  if (!TakeOfferBudgets(redemptions, draws, out.decision)) return;
  // Points paying part of this basket: a refusal leaves the whole sale
  // unapplied (the register asks again without them).
  if (e.points > 0 && !SpendForBasket(in, state, e.points, basket_minor, out, rec)) return;
  if (e.points > 0) ProfileRedemption(state, e.points, out.decision.discount_minor, 1);

  Earning earning =
      Earn(EarnInput{e, state, in.rules, &draws, &before.segments, out.decision.discount_minor});
  for (std::size_t i = 0; i < e.lines.size(); ++i) {
    const Line& l = e.lines[i];
    rec.lines.push_back({l.sku, l.quantity, l.line_total_minor, earning.line_points[i], 0, 0});
  }
  // One lot and one ledger entry per rule, so the ledger says why.
  for (const RuleAward& a : earning.awards) {
    out.effects.ledger.push_back(EarnLot(state, a.points, e.transaction_id, a.rule_id,
                                         e.event_time_ms, in.now_ms, in.rules.program));
  }
  RecordUses(state, in.rules, earning.applied, e.event_time_ms);
  out.decision.outcome = Outcome::kApplied;
  out.decision.points_earned = earning.total;
  out.decision.awards = std::move(earning.awards);
  out.decision.line_points = std::move(earning.line_points);
  ApplyRedemptions(in, redemptions, state, rec, out);
  ProfilePurchase(state, e, in.rules);

  // Offers for next time, targeted on the customer as this sale left them
  // or as they arrived: a sale resets churn risk, recency and the lifecycle
  // stage, so judged after it alone a win-back offer would never reach the
  // lapsed customer who came back. Caps and holds count this sale's uses.
  const Signals after = SignalsOf(state, in.rules, e.event_time_ms, in.rfm);
  const OfferChoice choice = ChooseOffers(state, after, in.rules, e.event_time_ms, draws, &before);
  IssueOffers(state, choice, in.rules, e.event_time_ms);
  out.decision.offers = ShowOffers(state, choice, in.rules, e.event_time_ms);
  out.effects.txn = std::move(rec);
  out.effects.budget_draws = draws.draws();
}

namespace {

// One return line matched against the original's lines with the same SKU:
// how many units come back from which original line.
struct Take {
  std::size_t line;
  int64_t quantity;
};

// Fills `takes` for every returned line, or explains why the return cannot be
// taken (more units than bought, or already returned).
std::optional<std::string> MatchLines(const Event& e, const TxnRecord& original,
                                      std::vector<Take>& takes) {
  std::vector<int64_t> left(original.lines.size());
  for (std::size_t i = 0; i < original.lines.size(); ++i) {
    left[i] = original.lines[i].quantity - original.lines[i].returned_quantity;
  }
  for (const Line& r : e.lines) {
    int64_t want = r.quantity;
    for (std::size_t i = 0; i < original.lines.size() && want > 0; ++i) {
      if (original.lines[i].sku != r.sku || left[i] == 0) continue;
      const int64_t q = std::min(want, left[i]);
      takes.push_back({i, q});
      left[i] -= q;
      want -= q;
    }
    if (want > 0) {
      return "sku " + r.sku + ": returning " + std::to_string(r.quantity) + " but only " +
             std::to_string(r.quantity - want) + " of it can still be returned from " +
             original.transaction_id;
    }
  }
  return std::nullopt;
}

// unknown_original: reverse_at_base. The lines say what they cost; the base
// rate says what they would have earned; that much is taken back.
void ReturnWithoutOriginal(const DecideInput& in, CustomerState& state, DecideResult& out) {
  const Event& e = in.event;
  const int exponent = *CurrencyExponent(in.rules.program.currency);
  const Earning would = EarnBase(e.lines, in.rules, exponent);
  int64_t minor = 0;
  for (const Line& l : e.lines) minor += l.line_total_minor;
  int64_t reversed = 0;
  if (would.total > 0) {
    if (auto entry = ReverseLots(state, would.total, e.transaction_id, e.event_time_ms, in.now_ms,
                                 in.rules.program.return_policy, &reversed)) {
      out.effects.ledger.push_back(*entry);
    }
  }
  ProfileReturn(state, minor, e.event_time_ms);
  out.decision.outcome = Outcome::kApplied;
  out.decision.points_reversed = reversed;
  out.decision.message = "no purchase " + e.original_transaction_id +
                         " is on record; base points of the returned lines taken back";
}

}  // namespace

void DecideReturn(const DecideInput& in, CustomerState& state, DecideResult& out) {
  const Event& e = in.event;
  Decision& d = out.decision;
  if (in.original == nullptr) {
    if (in.rules.program.unknown_original == UnknownOriginalPolicy::kReverseAtBase) {
      ReturnWithoutOriginal(in, state, out);
      return;
    }
    d.outcome = Outcome::kUnknownOriginal;
    d.message = "no purchase " + e.original_transaction_id + " is on record";
    return;
  }
  if (in.original->kind != EventKind::kPurchase || in.original->outcome != Outcome::kApplied ||
      in.original->customer_id != state.customer_id) {
    d.outcome = Outcome::kOriginalNotReturnable;
    d.message = e.original_transaction_id + " is not a purchase by card " + e.card;
    return;
  }
  std::vector<Take> takes;
  if (auto why = MatchLines(e, *in.original, takes)) {
    d.outcome = Outcome::kReturnExceedsPurchase;
    d.message = *why;
    return;
  }

  // Reverse cumulatively, so a line returned in parts gives back exactly its
  // points once the last unit is back (no drift from rounding each part).
  TxnRecord original = *in.original;
  int64_t to_reverse = 0;
  int64_t refund_minor = 0;
  for (const Take& t : takes) {
    TxnLine& l = original.lines[t.line];
    const int64_t returned = l.returned_quantity + t.quantity;
    const int64_t points_due = l.points * returned / l.quantity;
    const int64_t minor_due = l.line_total_minor * returned / l.quantity;
    const int64_t minor_before = l.line_total_minor * l.returned_quantity / l.quantity;
    to_reverse += points_due - l.points_reversed;
    refund_minor += minor_due - minor_before;
    l.points_reversed = points_due;
    l.returned_quantity = returned;
  }
  // A basket paid partly with points gets them back in proportion to the
  // money returned (all of them once everything is back).
  int64_t basket_minor = 0, returned_minor = 0;
  for (const TxnLine& l : original.lines) {
    basket_minor += l.line_total_minor;
    returned_minor += l.line_total_minor * l.returned_quantity / l.quantity;
  }
  if (original.points_spent > 0) {
    const int64_t due = basket_minor == 0
                            ? original.points_spent
                            : MulDivFloor(original.points_spent, returned_minor, basket_minor);
    const int64_t back = std::min(due, original.points_spent) - original.points_refunded;
    if (back > 0) {
      out.effects.ledger.push_back(RestoreSlices(state, original.spent, original.points_refunded,
                                                 back, e.transaction_id, in.now_ms));
      original.points_refunded += back;
      d.points_refunded = back;
      ProfileRedemption(state, -back, -back * in.rules.program.point_value_minor, 0);
    }
  }
  int64_t reversed = 0;
  if (to_reverse > 0) {
    if (auto entry = ReverseLots(state, to_reverse, e.transaction_id, original.event_time_ms,
                                 in.now_ms, in.rules.program.return_policy, &reversed)) {
      out.effects.ledger.push_back(*entry);
    }
  }
  ProfileReturn(state, refund_minor, original.event_time_ms);
  d.outcome = Outcome::kApplied;
  d.points_reversed = reversed;
  if (reversed < to_reverse) {
    d.message = std::to_string(to_reverse - reversed) +
                " points were already spent and are not taken back (return policy)";
  }
  out.effects.original = std::move(original);
}

}  // namespace loyalty
