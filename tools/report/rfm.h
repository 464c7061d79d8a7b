// RFM report (DESIGN.md §8): every customer scored 1-5 on Recency (days since
// the last purchase), Frequency (purchases) and Monetary value (net spend)
// against the population's quintile cut points, and grouped into the
// segments a marketer acts on. Scores, cut points and segments are the
// engine's (engine/rfm.h), so the report shows what decisions see. Pure; the
// CLI (loyalty report rfm) and the admin HTTP API feed it customer states.
// Customers who never bought are left out.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/rfm.h"

namespace loyalty::report {

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
  RfmQuantiles quantiles;            // the cut points the scores were read against
  std::vector<RfmSegment> segments;  // in kRfmSegments order
  // customers by recency score (rows, [0] = R1) and frequency score
  std::array<std::array<uint64_t, 5>, 5> recency_by_frequency{};
};

// The latest purchase among `customers` (0 when none bought): the report's
// "now" when none is given.
TimeMs LatestPurchase(const std::vector<RfmInput>& customers);

// `as_of_ms`: "now" for recency; 0 = the latest purchase among customers.
RfmReport ComputeRfm(const std::vector<RfmInput>& customers, TimeMs as_of_ms);

}  // namespace loyalty::report
