#include "tools/report/rfm.h"

#include <algorithm>

namespace loyalty::report {
namespace {

// 1 + floor(5 x (values strictly worse) / n) for each value; higher is better.
std::vector<int> Quintiles(const std::vector<int64_t>& values) {
  std::vector<int64_t> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int> scores;
  const auto n = static_cast<int64_t>(sorted.size());
  for (int64_t v : values) {
    const int64_t worse = std::lower_bound(sorted.begin(), sorted.end(), v) - sorted.begin();
    scores.push_back(static_cast<int>(1 + 5 * worse / n));
  }
  return scores;
}

}  // namespace

std::vector<RfmScore> ScoreRfm(const std::vector<RfmInput>& customers) {
  std::vector<int64_t> recency, frequency, monetary;
  std::vector<std::size_t> buyers;
  for (std::size_t i = 0; i < customers.size(); ++i) {
    if (customers[i].purchases <= 0) continue;
    buyers.push_back(i);
    recency.push_back(customers[i].last_purchase_ms);  // later is better
    frequency.push_back(customers[i].purchases);
    monetary.push_back(customers[i].revenue_minor);
  }
  const std::vector<int> r = Quintiles(recency), f = Quintiles(frequency), m = Quintiles(monetary);
  std::vector<RfmScore> scores(customers.size());
  for (std::size_t k = 0; k < buyers.size(); ++k) scores[buyers[k]] = {r[k], f[k], m[k]};
  return scores;
}

const char* RfmSegmentOf(const RfmScore& s) {
  if (s.recency >= 4 && s.frequency >= 4 && s.monetary >= 4) return "champions";
  if (s.frequency >= 4) return "loyal";
  if (s.recency >= 4 && s.frequency == 1) return "new";
  if (s.recency <= 2 && s.frequency >= 3) return "at_risk";
  if (s.recency <= 2) return "lost";
  if (s.recency >= 3 && s.frequency <= 2) return "promising";
  return "needs_attention";
}

RfmReport ComputeRfm(const std::vector<RfmInput>& customers, TimeMs as_of_ms) {
  RfmReport report;
  for (const RfmInput& c : customers) {
    if (c.purchases > 0 && as_of_ms == 0) {
      report.as_of_ms = std::max(report.as_of_ms, c.last_purchase_ms);
    }
  }
  if (as_of_ms != 0) report.as_of_ms = as_of_ms;
  for (const char* name : kRfmSegments) report.segments.push_back({name});
  const std::vector<RfmScore> scores = ScoreRfm(customers);
  int64_t revenue = 0;
  std::vector<double> days_sum(kRfmSegments.size());
  for (std::size_t i = 0; i < customers.size(); ++i) {
    if (scores[i].recency == 0) continue;
    const std::string name = RfmSegmentOf(scores[i]);
    const auto at = std::find(kRfmSegments.begin(), kRfmSegments.end(), name);
    const auto k = static_cast<std::size_t>(at - kRfmSegments.begin());
    RfmSegment& seg = report.segments[k];
    seg.customers += 1;
    seg.revenue_minor += customers[i].revenue_minor;
    days_sum[k] += static_cast<double>(report.as_of_ms - customers[i].last_purchase_ms) /
                   static_cast<double>(kMsPerDay);
    revenue += customers[i].revenue_minor;
    report.customers += 1;
    report.recency_by_frequency[scores[i].recency - 1][scores[i].frequency - 1] += 1;
  }
  for (std::size_t k = 0; k < report.segments.size(); ++k) {
    RfmSegment& seg = report.segments[k];
    if (revenue > 0) seg.revenue_share_percent = 100.0 * seg.revenue_minor / revenue;
    if (seg.customers > 0) seg.mean_days_since_purchase = days_sum[k] / seg.customers;
  }
  return report;
}

}  // namespace loyalty::report
