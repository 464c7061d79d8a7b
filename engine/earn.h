// Earning: the points a basket earns under a rule set, and why.
//
// Order of evaluation (DESIGN.md §7, README "Writing rules"):
//   1. base: the program rate on the basket's eligible lines (excluded
//      categories and SKUs earn nothing);
//   2. the tier multiplier on the base points;
//   3. earn rules, highest priority first (file order on ties): a rule
//      applies when all its conditions hold and its caps and budget allow;
//      an exclusive rule applies only to lines (or a basket) no other rule
//      has touched, and then no lower rule touches them;
//   4. the tier's birthday gift, once a year in the birthday week.
// Rounding: every award is counted exactly, per line (in fractions of a
// point), the basket's sum is rounded once (program.rounding), and the whole
// points are attributed to rules and to lines by the largest-remainder
// method, so sum(awards) == sum(line_points) == total and a return of a line
// takes back exactly what that line earned. A budgeted rule draws whole
// points from its budget (its own sum rounded), so a budget is never
// overshot; its award is exactly what it drew.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/budget.h"
#include "engine/customer_state.h"
#include "engine/decision.h"
#include "engine/event.h"
#include "engine/rules.h"

namespace loyalty {

struct Earning {
  int64_t total = 0;
  std::vector<int64_t> line_points;  // one per basket line, sums to total
  std::vector<RuleAward> awards;     // per rule, in evaluation order; no zero awards
  std::vector<std::string> applied;  // ids of rules (with caps) that applied: count them
};

struct EarnInput {
  const Event& event;
  const CustomerState& state;  // before this purchase
  const RuleSet& rules;
  BudgetDraws* budgets;  // the decision's draws (budget.h); nullptr: budgeted rules give nothing
  const std::vector<std::string>* segments = nullptr;  // the customer's (signals.h); null: none
  // The discount points gave on this basket (program.earn_on: money_paid
  // earns on the basket minus this).
  int64_t paid_with_points_minor = 0;
};

// Purchase earning. Precondition: lines validated.
Earning Earn(const EarnInput& in);

// Enrolment bonus rules (trigger: enroll), for a new customer.
Earning EarnOnEnrol(const EarnInput& in);

// Base points only (also a return without a known original under
// unknown_original: reverse_at_base).
Earning EarnBase(const std::vector<Line>& lines, const RuleSet& rules, int exponent);

// Counts the applications of capped rules on the customer.
void RecordUses(CustomerState& state, const RuleSet& rules, const std::vector<std::string>& applied,
                TimeMs event_time_ms);

// Whether a line earns at all (not an excluded category or SKU).
bool IsEligible(const Line& line, const ProgramRules& program);

// numerator / denominator rounded as asked; both >= 0, denominator > 0.
int64_t DivideRounded(int64_t numerator, int64_t denominator, Rounding rounding);

// a * b / c rounded down, without overflow; a, b >= 0, c > 0.
int64_t MulDivFloor(int64_t a, int64_t b, int64_t c);

// Splits `total` over `weights` in proportion, largest remainder first
// (earlier index on ties). All zero weights: everything to the first index.
std::vector<int64_t> Distribute(int64_t total, const std::vector<int64_t>& weights);

}  // namespace loyalty
