#include "tools/report/cost.h"

#include <algorithm>

#include "tools/report/lifecycle.h"

namespace loyalty::report {

void CostGroup::Add(const CostToServe& c) {
  customers += 1;
  cost.revenue_minor += c.revenue_minor;
  cost.returns_minor += c.returns_minor;
  cost.redeemed_minor += c.redeemed_minor;
  cost.discounts_minor += c.discounts_minor;
  cost.net_minor += c.net_minor;
}

CostTally::CostTally(const LifecycleRules& rules, TimeMs as_of_ms) : rules_(rules) {
  report_.as_of_ms = as_of_ms;
}

void CostTally::Add(const CustomerState& state) {
  const CostToServe c = CostToServeOf(state);
  report_.all.Add(c);
  report_.by_lifecycle[StageIndex(LifecycleOf(state, rules_, report_.as_of_ms))].Add(c);
  if (c.net_minor < 0) report_.losing.Add(c);
  each_.push_back(c);
}

CostReport CostTally::Finish() const {
  CostReport r = report_;
  std::vector<CostToServe> ranked = each_;
  std::stable_sort(ranked.begin(), ranked.end(), [](const CostToServe& a, const CostToServe& b) {
    return a.net_minor > b.net_minor;
  });
  const std::size_t n = ranked.size();
  for (std::size_t k = 0; k < 10; ++k) {
    for (std::size_t i = k * n / 10; i < (k + 1) * n / 10; ++i) r.deciles[k].Add(ranked[i]);
  }
  return r;
}

}  // namespace loyalty::report
