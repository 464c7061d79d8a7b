#include "tools/report/rfm_render.h"

#include <cstdio>
#include <sstream>

#include "tools/report/svg.h"

namespace loyalty::report {

nlohmann::json RfmQuantilesToJson(const RfmQuantiles& q) {
  return {{"as_of_ms", q.as_of_ms},
          {"customers", q.customers},
          {"recency_days", q.recency_days},
          {"frequency", q.frequency},
          {"monetary_minor", q.monetary_minor}};
}

nlohmann::json RfmToJson(const RfmReport& r) {
  nlohmann::json segments = nlohmann::json::array();
  for (const RfmSegment& s : r.segments) {
    segments.push_back({{"segment", s.name},
                        {"customers", s.customers},
                        {"revenue_minor", s.revenue_minor},
                        {"revenue_share_percent", s.revenue_share_percent},
                        {"mean_days_since_purchase", s.mean_days_since_purchase}});
  }
  nlohmann::json j = {{"customers", r.customers}, {"scored", r.quantiles.scores()},
                      {"as_of_ms", r.as_of_ms},   {"quantiles", RfmQuantilesToJson(r.quantiles)},
                      {"segments", segments},     {"recency_by_frequency", r.recency_by_frequency}};
  if (!r.quantiles.scores()) j["not_scored_why"] = RfmTooFew(r);
  return j;
}

std::string RfmTooFew(const RfmReport& r) {
  const uint64_t n = r.quantiles.customers;
  return CountOf(n, "customer has", "customers have") + " bought; RFM scores need at least " +
         std::to_string(kRfmCustomersMin) + ", one per score";
}

std::string RfmToText(const RfmReport& r, const Money& money) {
  std::ostringstream out;
  if (!r.quantiles.scores()) return RfmTooFew(r) + ": nobody is scored yet\n";
  out << CountOf(r.customers, "customer", "customers")
      << " scored 1-5 on recency, frequency and monetary value (quintiles)\n";
  char line[160];
  std::snprintf(line, sizeof line, "  %-16s %10s %8s %22s %10s\n", "segment", "customers",
                "revenue", "", "days since");
  out << line;
  for (const RfmSegment& s : r.segments) {
    std::snprintf(line, sizeof line, "  %-16s %10s %7.1f%% %22s %10.0f\n", s.name.c_str(),
                  Grouped(static_cast<int64_t>(s.customers)).c_str(), s.revenue_share_percent,
                  money.Format(s.revenue_minor).c_str(), s.mean_days_since_purchase);
    out << line;
  }
  const RfmQuantiles& q = r.quantiles;
  out << "cut points (the lowest value of each better fifth; reaching more of them scores "
         "higher):\n"
      << "  days since the last purchase  " << q.recency_days[0] << ", " << q.recency_days[1]
      << ", " << q.recency_days[2] << ", " << q.recency_days[3] << " (at most; fewer is better)\n"
      << "  purchases                     " << q.frequency[0] << ", " << q.frequency[1] << ", "
      << q.frequency[2] << ", " << q.frequency[3] << "\n"
      << "  net spend                     " << money.Format(q.monetary_minor[0]) << ", "
      << money.Format(q.monetary_minor[1]) << ", " << money.Format(q.monetary_minor[2]) << ", "
      << money.Format(q.monetary_minor[3]) << "\n";
  out << "customers by recency (rows R5..R1) and frequency (columns F1..F5):\n";
  for (int rec = 4; rec >= 0; --rec) {
    out << "  R" << rec + 1;
    for (uint64_t n : r.recency_by_frequency[rec]) {
      std::snprintf(line, sizeof line, " %7llu", static_cast<unsigned long long>(n));
      out << line;
    }
    out << "\n";
  }
  return out.str();
}

}  // namespace loyalty::report
