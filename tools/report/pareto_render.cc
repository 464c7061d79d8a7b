#include "tools/report/pareto_render.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "tools/report/svg.h"

namespace loyalty::report {
namespace {

std::string RatioText(const ParetoReport& r) {
  return r.top_to_bottom_ratio ? Fixed(*r.top_to_bottom_ratio, 1) + "x" : "n/a (bottom 20% = 0)";
}

}  // namespace

nlohmann::json ParetoToJson(const ParetoReport& r) {
  nlohmann::json deciles = nlohmann::json::array();
  for (int k = 0; k < 10; ++k) {
    deciles.push_back({{"decile", k + 1},
                       {"share_percent", r.decile_share_percent[k]},
                       {"revenue_minor", r.decile_revenue_minor[k]}});
  }
  nlohmann::json ratio = nullptr;
  if (r.top_to_bottom_ratio) ratio = *r.top_to_bottom_ratio;
  return {{"customers", r.customers},
          {"revenue_minor", r.revenue_minor},
          {"top20_share", r.top20_share_percent},
          {"bottom20_share", r.bottom20_share_percent},
          {"top20_to_bottom20_ratio", ratio},
          {"gini", r.gini},
          {"deciles", deciles},
          {"lorenz", r.lorenz}};
}

std::string ParetoToText(const ParetoReport& r, const Money& money) {
  std::ostringstream out;
  out << CountOf(r.customers, "customer", "customers") << ", revenue "
      << money.Format(r.revenue_minor) << "\n"
      << "top 20% of customers: " << Percent(r.top20_share_percent) << " of revenue\n"
      << "bottom 20% of customers: " << Percent(r.bottom20_share_percent) << " of revenue\n"
      << "top 20% / bottom 20%: " << RatioText(r) << "\n"
      << "gini: " << Fixed(r.gini, 3) << "\n"
      << "deciles (best tenth first):\n";
  for (int k = 0; k < 10; ++k) {
    char line[128];
    std::snprintf(line, sizeof line, "  %2d  %6.2f%%  ", k + 1, r.decile_share_percent[k]);
    out << line << money.Format(r.decile_revenue_minor[k]) << "\n";
  }
  return out.str();
}

namespace {

// The chart's geometry, in SVG user units.
constexpr int kWidth = 960;
constexpr int kHeight = 520;
constexpr double kCurveLeft = 80, kCurveTop = 140, kCurveSize = 330;  // a square
constexpr double kBarsLeft = 540, kBarsTop = 140, kBarsWidth = 380, kBarsHeight = 330;
// Point on the curve panel for a share of customers (best first) and a share
// of revenue, both 0..1.
std::string CurvePoint(double customers, double revenue) {
  return Fixed(kCurveLeft + customers * kCurveSize, 1) + "," +
         Fixed(kCurveTop + (1 - revenue) * kCurveSize, 1);
}

void CurvePanel(std::ostringstream& svg, const ParetoReport& r) {
  for (int i = 0; i <= 10; i += 2) {  // grid every 20%
    const double g = i / 10.0;
    svg << "<line x1=\"" << Fixed(kCurveLeft, 1) << "\" y1=\""
        << Fixed(kCurveTop + (1 - g) * kCurveSize, 1) << "\" x2=\""
        << Fixed(kCurveLeft + kCurveSize, 1) << "\" y2=\""
        << Fixed(kCurveTop + (1 - g) * kCurveSize, 1) << "\" stroke=\"" << kGrid << "\"/>\n";
    svg << SvgText(kCurveLeft - 8, kCurveTop + (1 - g) * kCurveSize + 4, Fixed(g * 100, 0) + "%",
                   "text-anchor=\"end\" class=\"axis\"");
    svg << SvgText(kCurveLeft + g * kCurveSize, kCurveTop + kCurveSize + 18,
                   Fixed(g * 100, 0) + "%", "text-anchor=\"middle\" class=\"axis\"");
  }
  // Equality: every customer worth the same.
  svg << "<line x1=\"" << Fixed(kCurveLeft, 1) << "\" y1=\"" << Fixed(kCurveTop + kCurveSize, 1)
      << "\" x2=\"" << Fixed(kCurveLeft + kCurveSize, 1) << "\" y2=\"" << Fixed(kCurveTop, 1)
      << "\" stroke=\"#9aa5b1\" stroke-dasharray=\"5,4\"/>\n";
  const double note_x = kCurveLeft + kCurveSize * 0.40, note_y = kCurveTop + kCurveSize * 0.66;
  svg << SvgText(
      note_x, note_y, "if all were equal",
      "class=\"note\" transform=\"rotate(-45 " + Fixed(note_x, 1) + " " + Fixed(note_y, 1) + ")\"");
  // The best q of customers bring 1 - L(1 - q) of the revenue.
  std::string points = CurvePoint(0, 0);
  for (int i = 1; i <= kLorenzPoints; ++i) {
    const double q = static_cast<double>(i) / kLorenzPoints;
    points += " " + CurvePoint(q, 1 - r.lorenz[kLorenzPoints - i]);
  }
  // Shaded: the gap between the curve and equality (closing runs down the diagonal).
  svg << "<polygon points=\"" << points << "\" fill=\"" << kMuted << "\" fill-opacity=\"0.35\"/>\n";
  svg << "<polyline points=\"" << points << "\" fill=\"none\" stroke=\"" << kInk
      << "\" stroke-width=\"3\"/>\n";
  // The top 20% marked.
  const double top = r.top20_share_percent / 100;
  svg << "<polyline points=\"" << CurvePoint(0.2, 0) << " " << CurvePoint(0.2, top) << " "
      << CurvePoint(0, top) << "\" fill=\"none\" stroke=\"" << kAccent
      << "\" stroke-width=\"1.5\" stroke-dasharray=\"4,3\"/>\n";
  const std::string dot = CurvePoint(0.2, top);
  const std::size_t comma = dot.find(',');
  svg << "<circle cx=\"" << dot.substr(0, comma) << "\" cy=\"" << dot.substr(comma + 1)
      << "\" r=\"6\" fill=\"" << kAccent << "\"/>\n";
  svg << SvgText(kCurveLeft + 0.2 * kCurveSize + 12, kCurveTop + (1 - top) * kCurveSize + 22,
                 "top 20% of customers", "class=\"callout\"");
  svg << SvgText(kCurveLeft + 0.2 * kCurveSize + 12, kCurveTop + (1 - top) * kCurveSize + 40,
                 "bring " + Percent(r.top20_share_percent) + " of revenue", "class=\"callout\"");
  svg << SvgText(kCurveLeft + kCurveSize / 2, kCurveTop + kCurveSize + 42,
                 "share of customers, best first", "text-anchor=\"middle\" class=\"label\"");
  svg << SvgText(kCurveLeft, kCurveTop - 16, "Cumulative share of revenue", "class=\"label\"");
}

void BarsPanel(std::ostringstream& svg, const ParetoReport& r) {
  double highest = 1;
  for (double s : r.decile_share_percent) highest = std::max(highest, s);
  const double slot = kBarsWidth / 10;
  for (int k = 0; k < 10; ++k) {
    const double share = std::max(0.0, r.decile_share_percent[k]);
    const double h = share / highest * (kBarsHeight - 24);
    const double x = kBarsLeft + k * slot + 5;
    const double y = kBarsTop + kBarsHeight - h;
    svg << "<rect x=\"" << Fixed(x, 1) << "\" y=\"" << Fixed(y, 1) << "\" width=\""
        << Fixed(slot - 10, 1) << "\" height=\"" << Fixed(h, 1) << "\" rx=\"3\" fill=\""
        << (k < 2 ? kInk : kMuted) << "\"/>\n";
    svg << SvgText(x + (slot - 10) / 2, y - 6, Fixed(r.decile_share_percent[k], 1) + "%",
                   "text-anchor=\"middle\" class=\"value\"");
    svg << SvgText(x + (slot - 10) / 2, kBarsTop + kBarsHeight + 18, std::to_string(k + 1),
                   "text-anchor=\"middle\" class=\"axis\"");
  }
  svg << "<line x1=\"" << Fixed(kBarsLeft, 1) << "\" y1=\"" << Fixed(kBarsTop + kBarsHeight, 1)
      << "\" x2=\"" << Fixed(kBarsLeft + kBarsWidth, 1) << "\" y2=\""
      << Fixed(kBarsTop + kBarsHeight, 1) << "\" stroke=\"#9aa5b1\"/>\n";
  svg << SvgText(kBarsLeft + kBarsWidth / 2, kBarsTop + kBarsHeight + 42,
                 "deciles: 1 = the best tenth of customers",
                 "text-anchor=\"middle\" class=\"label\"");
  svg << SvgText(kBarsLeft, kBarsTop - 16, "Share of revenue by decile", "class=\"label\"");
}

}  // namespace

std::string ParetoSvg(const ParetoReport& r, const Money& money, const std::string& title_note) {
  std::ostringstream svg;
  const std::string sub =
      CountOf(r.customers, "customer", "customers") + ", " + money.Format(r.revenue_minor) +
      " net revenue; top 20% vs bottom 20%: " + RatioText(r) + "; Gini " + Fixed(r.gini, 2);
  SvgOpen(svg, kWidth, kHeight,
          "The top 20% of customers bring " + Percent(r.top20_share_percent) + " of revenue", sub,
          title_note);
  CurvePanel(svg, r);
  BarsPanel(svg, r);
  svg << "</svg>\n";
  return svg.str();
}

}  // namespace loyalty::report
