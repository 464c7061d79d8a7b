// Ways to show an OffersReport: text for a marketer and JSON (stable keys)
// for scripts and the admin HTTP API. Pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "tools/report/format.h"
#include "tools/report/offers.h"

namespace loyalty::report {

// Keys: customers, discounts_minor, offers_issued, offers_redeemed, offers
// (objects: id, name, holdout_permille, issued, redeemed, redeemers,
// redemption_rate_percent, treated and holdout (customers, spend_minor,
// visits, mean_spend_minor, mean_visits), spend_uplift_minor,
// spend_uplift_percent, visits_uplift (null while a group is empty),
// spend_uplift_ci95_low_minor and spend_uplift_ci95_high_minor (null while a
// group has fewer than 2 customers)).
nlohmann::json OffersToJson(const OffersReport& report);
// "95% CI -50.85 GBP to +70.85 GBP, not shown to work yet" (the interval
// holds 0), or "... shown to work" / "... shown to lower spend"; "" while the
// interval cannot be computed. The text report and the chart say it alike.
std::string UpliftInterval(const OfferRow& row, const Money& money);
std::string OffersToText(const OffersReport& report, const Money& money);

}  // namespace loyalty::report
