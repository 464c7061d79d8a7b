// Lifecycle report (DESIGN.md §8): how many customers stand on each rung of
// the ladder (prospect, tester, buyer, account, patron, advocate) as of a
// day, their share of customers and of net revenue. Stages are the engine's
// (LifecycleOf with the rules' thresholds), so the report shows what offers
// and segments see. Revenue = net spend, as in the Pareto report.
//
// Feed it one customer at a time (Add), then Finish: memory does not grow
// with the customers. Pure; one tally per thread.
#pragma once

#include <array>
#include <cstdint>

#include "engine/customer_state.h"
#include "engine/rules.h"

namespace loyalty::report {

struct LifecycleStageRow {
  Lifecycle stage = Lifecycle::kProspect;
  uint64_t customers = 0;
  double share_percent = 0;  // of all customers
  int64_t revenue_minor = 0;
  double revenue_share_percent = 0;
  int64_t spend_12m_minor = 0;  // the last 12 months (tier window)
};

struct LifecycleReport {
  TimeMs as_of_ms = 0;
  uint64_t customers = 0;
  int64_t revenue_minor = 0;
  std::array<LifecycleStageRow, kLifecycleStages> stages{};  // prospect first
};

inline std::size_t StageIndex(Lifecycle stage) { return static_cast<std::size_t>(stage) - 1; }

class LifecycleTally {
 public:
  LifecycleTally(const LifecycleRules& rules, TimeMs as_of_ms);
  void Add(const CustomerState& state);
  LifecycleReport Finish() const;

 private:
  const LifecycleRules rules_;
  LifecycleReport report_;
};

}  // namespace loyalty::report
