// RFM (recency, frequency, monetary) scores against population quantiles
// (DESIGN.md §8). A job (loyaltyd) computes the quantiles from every
// customer; decisions and lookups score one customer against the latest
// quantiles, so segments and offers can use the scores on the hot path.
//
// Scores are 1..5, 5 the best fifth. The cut points of a measure are the
// lowest values of the four better fifths of the population (sorted, the
// values at ranks n/5, 2n/5, 3n/5 and 4n/5, counted from 0, rounded down);
// a customer's score is 1 + the number of cut points their value reaches:
// more purchases and more revenue are better, fewer days since the last
// purchase are better. A customer equal to a cut point scores with the
// better group, so ties share the better score (everyone who bought today is
// R5, not R1 because "0 days" cannot be beaten).
//
// With fewer customers who bought than there are scores (kRfmCustomersMin),
// nobody is scored: fifths of three people say nothing. Reports say so.
//
// Segments, first match wins. One purchase is not loyalty: a first-time
// buyer is never a champion, loyal or at risk, whatever the ties made of
// their frequency score.
//   champions       R >= 4, F >= 4, M >= 4, more than one purchase
//   loyal           F >= 4, more than one purchase
//   new             R >= 4, F == 1 or one purchase    first purchase lately
//   at_risk         R <= 2, F >= 3, more than one purchase
//   lost            R <= 2                            gone
//   promising       R >= 3, F <= 2 or one purchase    recent, not yet regular
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

// Fewest customers who bought for anyone to be scored: one per score.
inline constexpr uint64_t kRfmCustomersMin = 5;

struct RfmScore {
  int recency = 0, frequency = 0, monetary = 0;  // 1..5; 0 = not scored
  bool one_purchase = false;                     // bought exactly once (for the segments)
  friend bool operator==(const RfmScore&, const RfmScore&) = default;
};

inline constexpr std::array<const char*, 7> kRfmSegments = {
    "champions", "loyal", "new", "at_risk", "lost", "promising", "needs_attention"};
const char* RfmSegmentOf(const RfmScore& score);  // "" when not scored

// Cut points of the population, as of `as_of_ms`: the lowest value of
// each better fifth (for recency, the most days since the last purchase).
struct RfmQuantiles {
  TimeMs as_of_ms = 0;
  uint64_t customers = 0;                 // who had bought; below kRfmCustomersMin: no scores
  std::array<int64_t, 4> recency_days{};  // R5, R4, R3, R2: at most this many days; ascending
  std::array<int64_t, 4> frequency{};     // F2..F5: at least this many purchases; ascending
  std::array<int64_t, 4> monetary_minor{};
  bool scores() const { return customers >= kRfmCustomersMin; }
  friend bool operator==(const RfmQuantiles&, const RfmQuantiles&) = default;
};

// Quantiles of `customers` (those who never bought left out); recency is
// measured at `as_of_ms`.
RfmQuantiles ComputeRfmQuantiles(const std::vector<RfmInput>& customers, TimeMs as_of_ms);

// A customer's scores at `now_ms`; {0,0,0} when they never bought or the
// quantiles have fewer than kRfmCustomersMin customers.
RfmScore ScoreRfm(const RfmQuantiles& quantiles, const RfmInput& customer, TimeMs now_ms);

// Whether the quantiles are worth computing again before the periodic run,
// because the population moved a lot since they were (a bulk load, a replay
// of past sales, a fresh store's first day). `customers`: who the quantiles
// in force were computed on; `events_since`: events committed since;
// `quiet`: none were committed during the last check, so a load has ended.
// True when the events since reach half the customers (at least
// kRfmCustomersMin), or, once quiet, one per hundred customers (at least
// one). A trickle of sales in a large store does neither: the periodic run
// covers it, and a full scan is not paid for every sale.
bool RfmOutdated(uint64_t customers, uint64_t events_since, bool quiet);

// The job takes at most a twentieth of a CPU for these early runs: after a
// run that took `took_ms`, RfmOutdated is not asked again for 19 times as
// long (a run over 100,000 customers, about 0.4 s, then rests 8 s; over 10
// million, about 40 s, 13 minutes). Without it a small population under a
// heavy load was scanned every few seconds, the cost of a full scan for
// quantiles that barely moved.
constexpr int64_t kRfmRestPerRun = 19;

}  // namespace loyalty
