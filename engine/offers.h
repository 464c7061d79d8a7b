// Personalized offers (DESIGN.md §7, §8): the catalog is part of the rule set.
//
// Choosing: an offer is a candidate for a customer when it is held (issued
// within its valid_days) or when it is open (inside its issue window, or
// inside the early-access days before it for a tier with early_access) and
// its target matches the customer's signals as of the event; and when the
// customer has not used up its per-customer cap and its budget is not spent.
// Candidates are ranked by priority, then those whose reward is on one of
// the customer's top categories, then file order; the first
// `offers_shown_max` are returned.
//
// Holdout: a fixed share of customers never gets an offer (chosen by a hash
// of customer id and offer id, so the same customers every time). When a
// holdout customer is eligible for an offer it is recorded as held out
// instead (with the same issue cadence), and does not take a place among the
// K, so a marketer can compare holdout and treated customers (spend and
// visits since the first issue).
//
// Issuing: a purchase decision issues what it returns, recorded in the
// state. An offer still held (issued less than valid_days ago) is not
// issued again; once it lapses, a customer still eligible gets a new issue.
// A lookup shows the same choice without recording anything.
//
// Redeeming: a basket line names the offer (Line::offer_id). It must be a
// candidate for this customer (held or open and matching), the line's
// category must fit the reward, and the budget must give one redemption;
// otherwise the whole purchase is refused with kOfferNotAvailable and a
// sentence saying why. The reward applies to that line: a discount (the
// register takes it off the price; points are earned on the line total
// sent) or bonus points (attributed to the line, so a return takes them back).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/budget.h"
#include "engine/customer_state.h"
#include "engine/decision.h"
#include "engine/rules.h"
#include "engine/signals.h"

namespace loyalty {

// Whether the customer may get personalised offers and marketing events:
// they said yes, or were never asked and the program does not require it.
bool MarketingAllowed(const CustomerState& state, const RuleSet& rules);

// The budget id of an offer's redemptions in the BudgetGate.
std::string OfferBudgetId(const Offer& offer);

// Whether the customer is in the offer's holdout group.
bool InHoldout(const std::string& customer_id, const Offer& offer);

struct OfferChoice {
  std::vector<const Offer*> shown;     // ranked, at most rules.offers_shown_max
  std::vector<const Offer*> held_out;  // would have been shown: holdout customers
};
// Offers whose budget has nothing left (after `budgets`' draws) are not chosen.
// After a sale, `arrived` is the customer as they came in: an offer's target
// may match either (a win-back offer is for the lapsed customer who came
// back, whose churn risk this sale reset; a category offer for what this
// sale showed they like).
OfferChoice ChooseOffers(const CustomerState& state, const Signals& signals, const RuleSet& rules,
                         TimeMs now_ms, const BudgetDraws& budgets,
                         const Signals* arrived = nullptr);

// What the register shows for each chosen offer (valid_until: held offers
// keep their date; others as if issued now).
std::vector<OfferShown> ShowOffers(const CustomerState& state, const OfferChoice& choice,
                                   const RuleSet& rules, TimeMs now_ms);

// Records the choice of a purchase decision in the state (issues and
// holdout records); forgets offers retired from the catalog long ago.
void IssueOffers(CustomerState& state, const OfferChoice& choice, const RuleSet& rules,
                 TimeMs now_ms);

// Why `line` cannot redeem `offer` now, or nullopt when it can (the budget
// is asked separately, last).
std::optional<std::string> WhyNotRedeemable(const CustomerState& state, const Signals& signals,
                                            const RuleSet& rules, const Offer& offer,
                                            const Line& line, TimeMs now_ms);

// Counts a redemption on the customer (an offer redeemed without having been
// issued, seen at a lookup, counts as issued now).
void RecordRedemption(CustomerState& state, const Offer& offer, TimeMs now_ms);

// The reward of `offer` on `line`: the discount or points it gives.
OfferApplied RewardOf(const Offer& offer, const Line& line, int32_t line_index);

// A short text for the cashier: "10% off school", "5.00 EUR off", "200 bonus points".
std::string RewardText(const Offer& offer, const std::string& currency);

}  // namespace loyalty
