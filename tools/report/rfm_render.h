// Ways to show an RfmReport: text for a marketer, JSON (stable keys) for
// scripts and the admin HTTP API. Pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "tools/report/format.h"
#include "tools/report/rfm.h"

namespace loyalty::report {

// Keys: customers (scored), scored (false with fewer than kRfmCustomersMin
// customers who bought; then also not_scored_why, a sentence), as_of_ms,
// quantiles (the cut points: as_of_ms, customers (who bought), recency_days
// (ascending; at most that many days reaches the cut), frequency,
// monetary_minor (at least that much reaches it); 4 each), segments (objects:
// segment, customers, revenue_minor, revenue_share_percent,
// mean_days_since_purchase; in the order of kRfmSegments),
// recency_by_frequency (5 rows R1..R5 of 5 counts F1..F5).
nlohmann::json RfmToJson(const RfmReport& report);
// "3 customers have bought; RFM scores need at least 5, one per score"
// (when the report scored nobody for that reason).
std::string RfmTooFew(const RfmReport& report);
// Keys: as_of_ms, customers, recency_days, frequency, monetary_minor.
nlohmann::json RfmQuantilesToJson(const RfmQuantiles& quantiles);
std::string RfmToText(const RfmReport& report, const Money& money);

}  // namespace loyalty::report
