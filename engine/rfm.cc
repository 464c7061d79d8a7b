#include "engine/rfm.h"

#include <algorithm>

namespace loyalty {
namespace {

// The lowest value of each better fifth of `values`: those at 0-based ranks
// floor(n * k / 5), k = 1..4, once sorted.
std::array<int64_t, 4> CutPoints(std::vector<int64_t> values) {
  std::array<int64_t, 4> cuts{};
  if (values.empty()) return cuts;
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  for (std::size_t k = 0; k < 4; ++k) cuts[k] = values[n * (k + 1) / 5];
  return cuts;
}

// 1 + the cut points `v` reaches (higher is better; equal to a cut point
// scores with the better group).
int Reached(const std::array<int64_t, 4>& cuts, int64_t v) {
  int score = 1;
  for (int64_t c : cuts) score += v >= c ? 1 : 0;
  return score;
}

int64_t DaysSince(TimeMs last_ms, TimeMs now_ms) {
  return last_ms >= now_ms ? 0 : (now_ms - last_ms) / kMsPerDay;
}

}  // namespace

const char* RfmSegmentOf(const RfmScore& s) {
  if (s.recency == 0) return "";
  const bool repeat = !s.one_purchase;
  if (repeat && s.recency >= 4 && s.frequency >= 4 && s.monetary >= 4) return "champions";
  if (repeat && s.frequency >= 4) return "loyal";
  if (s.recency >= 4 && (s.frequency == 1 || s.one_purchase)) return "new";
  if (repeat && s.recency <= 2 && s.frequency >= 3) return "at_risk";
  if (s.recency <= 2) return "lost";
  if (s.recency >= 3 && (s.frequency <= 2 || s.one_purchase)) return "promising";
  return "needs_attention";
}

RfmQuantiles ComputeRfmQuantiles(const std::vector<RfmInput>& customers, TimeMs as_of_ms) {
  std::vector<int64_t> recency, frequency, monetary;
  for (const RfmInput& c : customers) {
    if (c.purchases <= 0 || c.last_purchase_ms == 0) continue;
    // Fewer days is better: negate so that "above the cut" means better.
    recency.push_back(-DaysSince(c.last_purchase_ms, as_of_ms));
    frequency.push_back(c.purchases);
    monetary.push_back(c.revenue_minor);
  }
  RfmQuantiles q;
  q.as_of_ms = as_of_ms;
  q.customers = recency.size();
  q.recency_days = CutPoints(recency);
  for (int64_t& d : q.recency_days) d = -d;  // back to days, descending
  std::reverse(q.recency_days.begin(), q.recency_days.end());
  q.frequency = CutPoints(frequency);
  q.monetary_minor = CutPoints(monetary);
  return q;
}

RfmScore ScoreRfm(const RfmQuantiles& q, const RfmInput& c, TimeMs now_ms) {
  if (!q.scores() || c.purchases <= 0 || c.last_purchase_ms == 0) return {};
  const int64_t days = DaysSince(c.last_purchase_ms, now_ms);
  int recency = 1;
  for (int64_t cut : q.recency_days) recency += days <= cut ? 1 : 0;
  return {recency, Reached(q.frequency, c.purchases), Reached(q.monetary_minor, c.revenue_minor),
          c.purchases == 1};
}

bool RfmOutdated(uint64_t customers, uint64_t events_since, bool quiet) {
  if (events_since == 0) return false;
  if (events_since >= std::max<uint64_t>(kRfmCustomersMin, customers / 2)) return true;
  return quiet && events_since >= std::max<uint64_t>(1, customers / 100);
}

}  // namespace loyalty
