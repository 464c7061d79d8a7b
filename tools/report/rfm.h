// RFM report (DESIGN.md §8): every customer scored 1-5 on Recency (days since
// the last purchase), Frequency (purchases) and Monetary value (net spend)
// against the population's quintiles, and grouped into segments a marketer
// acts on. Pure; the CLI (loyalty report rfm) and the admin HTTP API feed it
// customer states.
//
// Scores: customers are ranked on each measure; a customer's score is
// 1 + floor(5 x (customers ranked strictly worse) / customers), so 5 is the
// best fifth and ties share a score. Recency ranks the most recent best.
// Customers who never bought are left out.
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
#include <string>
#include <vector>

#include "engine/customer_state.h"

namespace loyalty::report {

struct RfmInput {
  TimeMs last_purchase_ms = 0;
  int64_t purchases = 0;
  int64_t revenue_minor = 0;
};
inline RfmInput RfmInputOf(const CustomerState& s) {
  return {s.last_purchase_ms, s.visits, s.spend_minor};
}

struct RfmScore {
  int recency = 0, frequency = 0, monetary = 0;  // 1..5
};

inline constexpr std::array<const char*, 7> kRfmSegments = {
    "champions", "loyal", "new", "at_risk", "lost", "promising", "needs_attention"};

struct RfmSegment {
  std::string name;
  uint64_t customers = 0;
  int64_t revenue_minor = 0;
  double revenue_share_percent = 0;
  double mean_days_since_purchase = 0;
};

struct RfmReport {
  uint64_t customers = 0;
  TimeMs as_of_ms = 0;
  std::vector<RfmSegment> segments;  // in kRfmSegments order
  // customers by recency score (rows, [0] = R1) and frequency score
  std::array<std::array<uint64_t, 5>, 5> recency_by_frequency{};
};

// Scores for `customers` (same order); those with no purchase get {0,0,0}.
std::vector<RfmScore> ScoreRfm(const std::vector<RfmInput>& customers);
const char* RfmSegmentOf(const RfmScore& score);

// `as_of_ms`: "now" for recency; 0 = the latest purchase among customers.
RfmReport ComputeRfm(const std::vector<RfmInput>& customers, TimeMs as_of_ms);

}  // namespace loyalty::report
