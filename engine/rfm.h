// RFM (recency, frequency, monetary) scores against population quantiles
// (DESIGN.md §8). A periodic job (loyaltyd) computes the quantiles from every
// customer; decisions and lookups score one customer against the latest
// quantiles, so segments and offers can use the scores on the hot path.
//
// Scores are 1..5, 5 the best fifth. A customer's score on a measure is
// 1 + the number of cut points (the 20th, 40th, 60th and 80th percentiles of
// the population) their value beats: more purchases and more revenue beat,
// fewer days since the last purchase beat.
//
// Segments, first match wins:
//   champions       R >= 4, F >= 4, M >= 4   buy often, recently, a lot
//   loyal           F >= 4                   regulars
//   new             R >= 4, F == 1           first purchase lately
//   at_risk         R <= 2, F >= 3           were regulars, gone quiet
//   lost            R <= 2                   gone, and never regulars
//   promising       R >= 3, F <= 2           recent, not yet regular
//   needs_attention (the rest)
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "engine/customer_state.h"

namespace loyalty {

struct RfmInput {
  TimeMs last_purchase_ms = 0;  // 0: never bought (left out)
  int64_t purchases = 0;
  int64_t revenue_minor = 0;
};
inline RfmInput RfmInputOf(const CustomerState& s) {
  return {s.last_purchase_ms, s.visits, s.spend_minor};
}

struct RfmScore {
  int recency = 0, frequency = 0, monetary = 0;  // 1..5; 0 = not scored
  friend bool operator==(const RfmScore&, const RfmScore&) = default;
};

inline constexpr std::array<const char*, 7> kRfmSegments = {
    "champions", "loyal", "new", "at_risk", "lost", "promising", "needs_attention"};
const char* RfmSegmentOf(const RfmScore& score);  // "" when not scored

// Cut points of the population, as of `as_of_ms`.
struct RfmQuantiles {
  TimeMs as_of_ms = 0;
  uint64_t customers = 0;                 // who had bought; 0 = nothing to score against
  std::array<int64_t, 4> recency_days{};  // ascending
  std::array<int64_t, 4> frequency{};
  std::array<int64_t, 4> monetary_minor{};
  friend bool operator==(const RfmQuantiles&, const RfmQuantiles&) = default;
};

// Quantiles of `customers` (those who never bought left out); recency is
// measured at `as_of_ms`.
RfmQuantiles ComputeRfmQuantiles(const std::vector<RfmInput>& customers, TimeMs as_of_ms);

// A customer's scores at `now_ms`; {0,0,0} when they never bought or the
// quantiles are empty.
RfmScore ScoreRfm(const RfmQuantiles& quantiles, const RfmInput& customer, TimeMs now_ms);

}  // namespace loyalty
