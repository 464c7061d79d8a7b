// Recognition (DESIGN.md §8): short hints a cashier reads at a lookup, best
// first, at most five:
//   "Gold member since March 2025" (tier and tenure),
//   "Birthday in 2 days: Thursday 26 November" (in the birthday week of
//    engine/birthday.h, the one birthday earn rules and gifts use),
//   "Loves school, kitchen, garden" (top categories),
//   "Welcome back: last visit 94 days ago" (churn risk at least the rules'
//    welcome_back threshold),
//   "Advocate: scored us 10/10" (lifecycle advocate).
#pragma once

#include <string>
#include <vector>

#include "engine/customer_state.h"
#include "engine/rules.h"
#include "engine/signals.h"

namespace loyalty {

std::vector<std::string> GreetingHints(const CustomerState& state, const Signals& signals,
                                       const RuleSet& rules, TimeMs now_ms);

}  // namespace loyalty
