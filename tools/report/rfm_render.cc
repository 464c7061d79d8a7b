#include "tools/report/rfm_render.h"

#include <cstdio>
#include <sstream>

namespace loyalty::report {

nlohmann::json RfmToJson(const RfmReport& r) {
  nlohmann::json segments = nlohmann::json::array();
  for (const RfmSegment& s : r.segments) {
    segments.push_back({{"segment", s.name},
                        {"customers", s.customers},
                        {"revenue_minor", s.revenue_minor},
                        {"revenue_share_percent", s.revenue_share_percent},
                        {"mean_days_since_purchase", s.mean_days_since_purchase}});
  }
  return {{"customers", r.customers},
          {"as_of_ms", r.as_of_ms},
          {"segments", segments},
          {"recency_by_frequency", r.recency_by_frequency}};
}

std::string RfmToText(const RfmReport& r, const Money& money) {
  std::ostringstream out;
  out << Grouped(static_cast<int64_t>(r.customers))
      << " customers scored 1-5 on recency, frequency and monetary value (quintiles)\n";
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
