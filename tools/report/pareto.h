// Pareto report: how concentrated revenue is among customers (DESIGN.md §8).
// A pure computation over per-customer revenue; the CLI (loyalty report
// pareto), the admin HTTP API and tests feed it customer states from
// wherever they have them.
//
// Revenue of a customer = net spend (CustomerState::spend_minor: purchases
// minus what returns gave back), in minor units of the program currency.
//
// Shares are read off the Lorenz curve L(p) = the share of revenue of the
// poorest fraction p of customers, interpolated linearly between customers,
// so "the top 20%" needs no rounding of a head count: with 4,338 customers
// the top 20% is 867.6 of them, the 868th counted for 0.6 of its revenue.
//   top20_share_percent   = 100 * (1 - L(0.8))
//   bottom20_share_percent = 100 * L(0.2)
//   decile k (1 = the best tenth) = 100 * (L(1 - (k-1)/10) - L(1 - k/10))
//   gini = 1 - 2 * (area under L)
// With no customers or no revenue every share is 0. Pure; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "engine/customer_state.h"

namespace loyalty::report {

inline constexpr int kLorenzPoints = 100;  // the curve at every whole percent

struct ParetoReport {
  uint64_t customers = 0;
  int64_t revenue_minor = 0;  // all customers together
  double top20_share_percent = 0;
  double bottom20_share_percent = 0;
  // Revenue of the top 20% over the bottom 20%; nullopt when the bottom
  // 20% brought nothing (or less than nothing).
  std::optional<double> top_to_bottom_ratio;
  std::array<double, 10> decile_share_percent{};  // [0] = the best tenth
  std::array<int64_t, 10> decile_revenue_minor{};
  double gini = 0;
  // L at p = i / kLorenzPoints for i = 0..kLorenzPoints, as a share (0..1).
  std::array<double, kLorenzPoints + 1> lorenz{};
};

// Revenue of each customer, in any order.
ParetoReport ComputePareto(std::vector<int64_t> revenue_minor);

// Revenue of one customer as the report counts it.
inline int64_t RevenueOf(const CustomerState& state) { return state.spend_minor; }

}  // namespace loyalty::report
