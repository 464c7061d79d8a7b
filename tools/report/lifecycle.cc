#include "tools/report/lifecycle.h"

#include "engine/signals.h"
#include "engine/tiers.h"
#include "tools/report/pareto.h"
#include "tools/report/svg.h"

namespace loyalty::report {

LifecycleTally::LifecycleTally(const LifecycleRules& rules, TimeMs as_of_ms) : rules_(rules) {
  report_.as_of_ms = as_of_ms;
  for (int k = 0; k < kLifecycleStages; ++k)
    report_.stages[k].stage = static_cast<Lifecycle>(k + 1);
}

void LifecycleTally::Add(const CustomerState& state) {
  LifecycleStageRow& row = report_.stages[StageIndex(LifecycleOf(state, rules_, report_.as_of_ms))];
  row.customers += 1;
  row.revenue_minor += RevenueOf(state);
  row.spend_12m_minor += Last12Months(state, report_.as_of_ms).spend_minor;
  report_.customers += 1;
  report_.revenue_minor += RevenueOf(state);
}

LifecycleReport LifecycleTally::Finish() const {
  LifecycleReport r = report_;
  for (LifecycleStageRow& row : r.stages) {
    row.share_percent =
        ShareOf(static_cast<double>(row.customers), static_cast<double>(r.customers));
    row.revenue_share_percent =
        ShareOf(static_cast<double>(row.revenue_minor), static_cast<double>(r.revenue_minor));
  }
  return r;
}

}  // namespace loyalty::report
