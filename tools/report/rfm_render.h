// Ways to show an RfmReport: text for a marketer, JSON (stable keys) for
// scripts and the admin HTTP API. Pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "tools/report/format.h"
#include "tools/report/rfm.h"

namespace loyalty::report {

// Keys: customers, as_of_ms, quantiles (the cut points: as_of_ms,
// customers, recency_days (ascending; fewer days beat a cut), frequency,
// monetary_minor; 4 each), segments (objects: segment, customers,
// revenue_minor, revenue_share_percent, mean_days_since_purchase; in the
// order of kRfmSegments), recency_by_frequency (5 rows R1..R5 of 5 counts
// F1..F5).
nlohmann::json RfmToJson(const RfmReport& report);
// Keys: as_of_ms, customers, recency_days, frequency, monetary_minor.
nlohmann::json RfmQuantilesToJson(const RfmQuantiles& quantiles);
std::string RfmToText(const RfmReport& report, const Money& money);

}  // namespace loyalty::report
