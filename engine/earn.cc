#include "engine/earn.h"

#include <algorithm>
#include <numeric>

#include "engine/money.h"

namespace loyalty {

bool IsEligible(const Line& line, const ProgramRules& program) {
  const auto& cats = program.exclude_categories;
  const auto& skus = program.exclude_skus;
  if (std::find(cats.begin(), cats.end(), line.category) != cats.end()) return false;
  return std::find(skus.begin(), skus.end(), line.sku) == skus.end();
}

int64_t DivideRounded(int64_t numerator, int64_t denominator, Rounding rounding) {
  LOYALTY_CHECK(numerator >= 0 && denominator > 0);
  const int64_t q = numerator / denominator;
  const int64_t r = numerator % denominator;
  switch (rounding) {
    case Rounding::kFloor: return q;
    case Rounding::kCeil: return q + (r > 0 ? 1 : 0);
    case Rounding::kNearest: return q + (2 * r >= denominator ? 1 : 0);  // half up
  }
  return q;
}

Earning EarnBase(const std::vector<Line>& lines, const RuleSet& rules, int exponent) {
  const int64_t rate = rules.program.points_per_unit_milli;
  const int64_t denominator = 1000 * MinorPerUnit(exponent);
  Earning out;
  out.line_points.assign(lines.size(), 0);

  int64_t eligible_minor = 0;
  for (const Line& l : lines) {
    if (IsEligible(l, rules.program)) eligible_minor += l.line_total_minor;
  }
  out.total = DivideRounded(eligible_minor * rate, denominator, rules.program.rounding);
  if (out.total == 0) return out;

  // Largest remainder: floor each line's exact share, then hand the points
  // left over to the lines with the largest remainders (earlier line on ties).
  std::vector<int64_t> remainder(lines.size(), 0);
  int64_t floored = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (!IsEligible(lines[i], rules.program)) continue;
    const int64_t exact = lines[i].line_total_minor * rate;
    out.line_points[i] = exact / denominator;
    remainder[i] = exact % denominator;
    floored += out.line_points[i];
  }
  std::vector<std::size_t> order(lines.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return remainder[a] > remainder[b]; });
  int64_t left = out.total - floored;
  LOYALTY_CHECK(left >= 0 && left <= static_cast<int64_t>(lines.size()));
  for (std::size_t k = 0; left > 0; ++k, --left) out.line_points[order[k]] += 1;

  out.awards.push_back({"base", out.total});
  return out;
}

}  // namespace loyalty
