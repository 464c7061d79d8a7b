// Ways to show a ParetoReport: a few lines of text, a JSON object (stable
// keys, for scripts and the admin HTTP API), and an SVG chart drawn by hand:
// the cumulative revenue curve (the Lorenz curve read from the best
// customers down) with the top 20% marked, and the revenue of each decile as
// bars. Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "tools/report/format.h"
#include "tools/report/pareto.h"

namespace loyalty::report {

// Keys: customers, revenue_minor, top20_share (percent), bottom20_share
// (percent), top20_to_bottom20_ratio (null when the bottom 20% brought
// nothing), gini, deciles (10 objects, the best tenth first: decile,
// share_percent, revenue_minor), lorenz (101 shares, at 0%, 1%, ... 100% of
// customers from the poorest up).
nlohmann::json ParetoToJson(const ParetoReport& report);

std::string ParetoToText(const ParetoReport& report, const Money& money);

// A self-contained SVG document; `title_note` names the data ("Online
// Retail 2010-2011") in the chart's subtitle, may be empty.
std::string ParetoSvg(const ParetoReport& report, const Money& money,
                      const std::string& title_note);

}  // namespace loyalty::report
