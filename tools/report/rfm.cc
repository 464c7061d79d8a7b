#include "tools/report/rfm.h"

#include <algorithm>

namespace loyalty::report {

TimeMs LatestPurchase(const std::vector<RfmInput>& customers) {
  TimeMs latest = 0;
  for (const RfmInput& c : customers) {
    if (c.purchases > 0) latest = std::max(latest, c.last_purchase_ms);
  }
  return latest;
}

RfmReport ComputeRfm(const std::vector<RfmInput>& customers, TimeMs as_of_ms) {
  RfmReport report;
  report.as_of_ms = as_of_ms != 0 ? as_of_ms : LatestPurchase(customers);
  report.quantiles = ComputeRfmQuantiles(customers, report.as_of_ms);
  for (const char* name : kRfmSegments) report.segments.push_back({name});
  int64_t revenue = 0;
  std::vector<double> days_sum(kRfmSegments.size());
  for (const RfmInput& c : customers) {
    const RfmScore score = ScoreRfm(report.quantiles, c, report.as_of_ms);
    if (score.recency == 0) continue;
    const std::string name = RfmSegmentOf(score);
    const auto at = std::find(kRfmSegments.begin(), kRfmSegments.end(), name);
    const auto k = static_cast<std::size_t>(at - kRfmSegments.begin());
    RfmSegment& seg = report.segments[k];
    seg.customers += 1;
    seg.revenue_minor += c.revenue_minor;
    days_sum[k] += static_cast<double>(std::max<TimeMs>(0, report.as_of_ms - c.last_purchase_ms)) /
                   static_cast<double>(kMsPerDay);
    revenue += c.revenue_minor;
    report.customers += 1;
    report.recency_by_frequency[score.recency - 1][score.frequency - 1] += 1;
  }
  for (std::size_t k = 0; k < report.segments.size(); ++k) {
    RfmSegment& seg = report.segments[k];
    if (revenue > 0) seg.revenue_share_percent = 100.0 * seg.revenue_minor / revenue;
    if (seg.customers > 0) seg.mean_days_since_purchase = days_sum[k] / seg.customers;
  }
  return report;
}

}  // namespace loyalty::report
