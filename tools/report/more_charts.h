// The charts of the RFM, offers and cost-to-serve reports (SVG, 960 px
// wide, the shared styles of svg.h). Every label is fitted to its place
// (svg.h Fit), so no text runs beyond the view box. Pure functions.
#pragma once

#include <string>

#include "tools/report/cost.h"
#include "tools/report/format.h"
#include "tools/report/offers.h"
#include "tools/report/rfm.h"

namespace loyalty::report {

// Customers on a grid of recency score (rows, R5 = bought most recently, on
// top) by frequency score (columns, F5 = most purchases, on the right),
// shaded by count.
std::string RfmSvg(const RfmReport& report, const std::string& title_note);

// Per offer: the treated group's mean spend since issue beside the holdout
// group's, and the uplift.
std::string OffersSvg(const OffersReport& report, const Money& money,
                      const std::string& title_note);

// Net value per lifecycle stage: revenue, and what returns, redeemed points
// and discounts take from it.
std::string CostSvg(const CostReport& report, const Money& money, const std::string& title_note);

}  // namespace loyalty::report
