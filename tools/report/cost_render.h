// Ways to show a CostReport: text for a marketer and JSON (stable keys) for
// scripts and the admin HTTP API. Pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "tools/report/cost.h"
#include "tools/report/format.h"

namespace loyalty::report {

// Keys: as_of_ms, total, losing (customers whose net value is below zero),
// by_lifecycle (6 objects, prospect first, with "stage"), deciles (10
// objects, the best tenth first, with "decile"). Each group: customers,
// revenue_minor, returns_minor, redeemed_minor, discounts_minor, net_minor.
nlohmann::json CostToJson(const CostReport& report);
std::string CostToText(const CostReport& report, const Money& money);

}  // namespace loyalty::report
