// Cost-to-serve report (DESIGN.md §8): what customers are worth once what
// they cost is taken off: revenue (all purchases) minus returns, the value
// of points redeemed and offer discounts (the engine's CostToServeOf). Totals,
// per lifecycle stage, per decile of net value (1 = the best tenth), and the
// customers who cost more than they bring.
//
// Deciles split the customers ranked by net value into ten groups of sizes
// floor((k+1) n / 10) - floor(k n / 10); with fewer than ten customers some
// are empty.
//
// Feed it one customer at a time (Add), then Finish. Keeps one small record
// per customer (for the deciles). Pure; one tally per thread.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "engine/customer_state.h"
#include "engine/rules.h"
#include "engine/signals.h"

namespace loyalty::report {

struct CostGroup {
  uint64_t customers = 0;
  CostToServe cost;  // sums
  void Add(const CostToServe& c);
};

struct CostReport {
  TimeMs as_of_ms = 0;
  CostGroup all;
  std::array<CostGroup, kLifecycleStages> by_lifecycle{};  // prospect first
  std::array<CostGroup, 10> deciles{};                     // [0] = the best tenth
  CostGroup losing;                                        // net value below zero
};

class CostTally {
 public:
  CostTally(const LifecycleRules& rules, TimeMs as_of_ms);
  void Add(const CustomerState& state);
  CostReport Finish() const;

 private:
  const LifecycleRules rules_;
  CostReport report_;
  std::vector<CostToServe> each_;
};

}  // namespace loyalty::report
