// Ways to show a LifecycleReport: text, JSON (stable keys, for scripts and
// the admin HTTP API) and an SVG chart: the ladder as a funnel of customers,
// prospects at the top, with each rung's share of revenue beside it, so the
// few at the top who bring most of the money stand out. Pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "tools/report/format.h"
#include "tools/report/lifecycle.h"

namespace loyalty::report {

// Keys: as_of_ms, customers, revenue_minor, stages (6 objects, prospect
// first: stage, customers, share_percent, revenue_minor,
// revenue_share_percent, spend_12m_minor).
nlohmann::json LifecycleToJson(const LifecycleReport& report);
std::string LifecycleToText(const LifecycleReport& report, const Money& money);
std::string LifecycleSvg(const LifecycleReport& report, const Money& money,
                         const std::string& title_note);

}  // namespace loyalty::report
