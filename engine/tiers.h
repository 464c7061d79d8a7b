// Tiers: qualification on the last 12 calendar months (this month and the 11
// before it, UTC) of spend and purchases, kept per month in the customer's
// state. An upgrade happens at the event that qualifies; a downgrade only
// once the review date (`review_months` after the tier was reached or last
// confirmed) plus `grace_days` has passed, to the highest tier still earned.
// Invitation-only tiers are set by a manual adjustment and never reviewed.
#pragma once

#include <cstdint>
#include <string>

#include "engine/customer_state.h"
#include "engine/rules.h"

namespace loyalty {

// Month counters: a purchase counts in its month; a return takes its amount
// off the month of the purchase it returns (if that month is still kept).
void CountPurchase(CustomerState& state, TimeMs event_time_ms, int64_t minor);
void CountReturn(CustomerState& state, TimeMs original_time_ms, int64_t minor);

struct Window12 {
  int64_t spend_minor = 0;
  int64_t visits = 0;
};
Window12 Last12Months(const CustomerState& state, TimeMs now_ms);

// Applies upgrades and due downgrades as of `now_ms`; a tier the rules no
// longer know is replaced. Returns true when the tier changed.
bool ReviewTier(CustomerState& state, const RuleSet& rules, TimeMs now_ms);

// A manual tier change (Adjust with set_tier).
void SetTier(CustomerState& state, const RuleSet& rules, const std::string& tier_id, TimeMs now_ms);

}  // namespace loyalty
