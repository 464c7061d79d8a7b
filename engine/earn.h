// Earning: points for a basket under the program's base rule.
//
// Points are computed once on the basket's eligible total and rounded once
// (so the receipt reconciles: no sum of separately rounded lines), then
// attributed to lines by the largest-remainder method, so that
// sum(line_points) == total and a later return of a line reverses exactly
// what that line earned.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/decision.h"
#include "engine/event.h"
#include "engine/rules.h"

namespace loyalty {

struct Earning {
  int64_t total = 0;
  std::vector<int64_t> line_points;  // one per basket line, sums to total
  std::vector<RuleAward> awards;     // per rule; empty when total == 0
};

// Precondition: lines validated; `exponent` is the program currency's.
Earning EarnBase(const std::vector<Line>& lines, const RuleSet& rules, int exponent);

// Whether a line earns at all (not an excluded category or SKU).
bool IsEligible(const Line& line, const ProgramRules& program);

// numerator / denominator rounded as asked; both >= 0, denominator > 0.
int64_t DivideRounded(int64_t numerator, int64_t denominator, Rounding rounding);

}  // namespace loyalty
