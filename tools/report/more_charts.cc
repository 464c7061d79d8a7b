#include "tools/report/more_charts.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "tools/report/offers_render.h"
#include "tools/report/rfm_render.h"
#include "tools/report/svg.h"

namespace loyalty::report {
namespace {

constexpr int kWidth = 960;
constexpr int kHeight = 560;
constexpr double kLeft = 40, kTop = 140, kRight = 920;

// A blue from light (few) to ink (many): the share of the largest cell.
std::string Shade(double share) {
  const int light[3] = {0xe8, 0xf0, 0xf7}, dark[3] = {0x1d, 0x35, 0x57};
  char buf[8];
  int c[3];
  for (int i = 0; i < 3; ++i) c[i] = light[i] + static_cast<int>((dark[i] - light[i]) * share);
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", c[0], c[1], c[2]);
  return buf;
}

}  // namespace

std::string RfmSvg(const RfmReport& r, const std::string& title_note) {
  std::ostringstream svg;
  if (!r.quantiles.scores()) {  // fifths of a handful of people would be a claim
    SvgOpen(svg, kWidth, kHeight, "RFM: not enough customers yet", RfmTooFew(r), title_note);
    svg << SvgText(kWidth / 2.0, kTop + 150, "not scored yet",
                   "text-anchor=\"middle\" class=\"label\"");
    svg << "</svg>\n";
    return svg.str();
  }
  SvgOpen(svg, kWidth, kHeight, "RFM: customers by recency and frequency",
          CountOf(r.customers, "customer", "customers") +
              " who bought, scored 1-5 against quintile cut points",
          title_note);
  constexpr double kCell = 72, kGridLeft = 200, kGridTop = kTop + 10;
  uint64_t most = 1;
  for (const auto& row : r.recency_by_frequency) {
    for (uint64_t n : row) most = std::max(most, n);
  }
  for (int rec = 5; rec >= 1; --rec) {
    const double y = kGridTop + (5 - rec) * kCell;
    svg << SvgText(kGridLeft - 12, y + kCell / 2 + 5, "R" + std::to_string(rec),
                   "text-anchor=\"end\" class=\"label\"");
    for (int f = 1; f <= 5; ++f) {
      const uint64_t n = r.recency_by_frequency[rec - 1][f - 1];
      const double share = static_cast<double>(n) / most;
      const double x = kGridLeft + (f - 1) * kCell;
      svg << SvgRect(x + 2, y + 2, kCell - 4, kCell - 4, Shade(share));
      svg << SvgText(x + kCell / 2, y + kCell / 2 + 5, Count(n),
                     std::string("text-anchor=\"middle\" class=\"value\" style=\"fill:") +
                         (share > 0.5 ? "#ffffff" : kInk) + "\"");
    }
  }
  for (int f = 1; f <= 5; ++f) {
    svg << SvgText(kGridLeft + (f - 0.5) * kCell, kGridTop + 5 * kCell + 20,
                   "F" + std::to_string(f), "text-anchor=\"middle\" class=\"label\"");
  }
  svg << SvgText(kGridLeft + 2.5 * kCell, kGridTop + 5 * kCell + 44,
                 "frequency: F5 = most purchases", "text-anchor=\"middle\" class=\"axis\"");
  svg << SvgText(kLeft, kGridTop - 12, "recency: R5 = bought most recently", "class=\"axis\"");
  // The segments beside the grid, largest first as the report lists them.
  const double list_left = kGridLeft + 5 * kCell + 40;
  svg << SvgText(list_left, kGridTop + 10, "Segments: customers (share of revenue)",
                 "class=\"label\"");
  for (std::size_t i = 0; i < r.segments.size(); ++i) {
    const RfmSegment& s = r.segments[i];
    std::string name = s.name;  // "at_risk" -> "at risk"
    std::replace(name.begin(), name.end(), '_', ' ');
    const std::string line =
        name + ": " + Count(s.customers) + " (" + Percent(s.revenue_share_percent) + " of revenue)";
    svg << SvgText(list_left, kGridTop + 40 + 26.0 * i, Fit(line, 12, kRight - list_left),
                   "class=\"value\"");
  }
  svg << "</svg>\n";
  return svg.str();
}

std::string OffersSvg(const OffersReport& r, const Money& money, const std::string& title_note) {
  std::ostringstream svg;
  SvgOpen(svg, kWidth, kHeight, "Offers: treated customers against the holdout",
          Count(static_cast<uint64_t>(r.offers_issued)) + " issued, " +
              Count(static_cast<uint64_t>(r.offers_redeemed)) + " redeemed, discounts " +
              money.Format(r.discounts_minor),
          title_note);
  if (r.offers.empty()) {
    svg << SvgText(kWidth / 2.0, kTop + 150, "no offers in the rules",
                   "text-anchor=\"middle\" class=\"label\"");
    svg << "</svg>\n";
    return svg.str();
  }
  constexpr std::size_t kShown = 6;
  const std::size_t shown = std::min(kShown, r.offers.size());
  const double row = std::min(64.0, 340.0 / shown), bar_left = 260, bar_width = 420;
  double most = 1;
  for (std::size_t i = 0; i < shown; ++i) {
    most = std::max(
        {most, r.offers[i].treated.mean_spend_minor(), r.offers[i].holdout.mean_spend_minor()});
  }
  svg << SvgText(bar_left, kTop, "mean spend per customer since the first issue",
                 "class=\"label\"");
  svg << SvgRect(kRight - 220, kTop - 12, 12, 12, kInk);
  svg << SvgText(kRight - 202, kTop, "treated", "class=\"axis\"");
  svg << SvgRect(kRight - 140, kTop - 12, 12, 12, kNeutral);
  svg << SvgText(kRight - 122, kTop, "holdout", "class=\"axis\"");
  for (std::size_t i = 0; i < shown; ++i) {
    const OfferRow& o = r.offers[i];
    const double y = kTop + 24 + i * row;
    const double half = (row - 16) / 2;
    svg << SvgText(kLeft, y + half + 5, Fit(o.name.empty() ? o.id : o.name, 14, bar_left - 50),
                   "class=\"label\"");
    if (o.treated.customers == 0 && o.holdout.customers == 0) {
      svg << SvgText(bar_left, y + half + 5, "not issued yet", "class=\"axis\"");
      continue;
    }
    const double t = o.treated.mean_spend_minor(), h = o.holdout.mean_spend_minor();
    svg << SvgRect(bar_left, y, std::max(1.0, bar_width * t / most), half, kInk);
    svg << SvgRect(bar_left, y + half + 2, std::max(1.0, bar_width * h / most), half, kNeutral);
    const std::string uplift =
        o.spend_uplift_minor ? "uplift " + money.Format(static_cast<int64_t>(*o.spend_uplift_minor))
                             : "no holdout yet";
    svg << SvgText(bar_left + bar_width + 16, y + half - 2, Fit(uplift, 12, kRight - 700),
                   "class=\"value\"");
    if (const std::string interval = UpliftInterval(o, money); !interval.empty()) {
      svg << SvgText(bar_left + bar_width + 16, y + half + 12,
                     Fit(interval.substr(0, interval.find(',')), 11, kRight - 700),
                     "class=\"axis\"");
    }
  }
  if (r.offers.size() > shown) {
    svg << SvgText(kLeft, kHeight - 24,
                   "and " + CountOf(r.offers.size() - shown, "more offer", "more offers") +
                       " in the text report",
                   "class=\"note\"");
  }
  svg << "</svg>\n";
  return svg.str();
}

std::string CostSvg(const CostReport& r, const Money& money, const std::string& title_note) {
  std::ostringstream svg;
  SvgOpen(svg, kWidth, kHeight, "Cost to serve: net value per lifecycle stage",
          CountOf(r.all.customers, "customer", "customers") + ", net " +
              money.Format(r.all.cost.net_minor) + "; " +
              CountOf(r.losing.customers, "costs", "cost") + " more than they bring",
          title_note);
  constexpr double kRow = 56, kBarLeft = 160, kBarWidth = 520;
  int64_t most = 1;
  for (const CostGroup& g : r.by_lifecycle) most = std::max(most, g.cost.revenue_minor);
  svg << SvgText(kBarLeft, kTop, "revenue (light), of which net value (dark)", "class=\"label\"");
  for (int k = 0; k < kLifecycleStages; ++k) {
    const CostGroup& g = r.by_lifecycle[k];
    const double y = kTop + 20 + k * kRow;
    svg << SvgText(kLeft, y + 24, LifecycleName(static_cast<Lifecycle>(k + 1)), "class=\"label\"");
    const double revenue = kBarWidth * static_cast<double>(g.cost.revenue_minor) / most;
    const double net =
        kBarWidth * static_cast<double>(std::max<int64_t>(g.cost.net_minor, 0)) / most;
    if (revenue > 0) svg << SvgRect(kBarLeft, y + 4, revenue, 32, kMuted);
    if (net > 0) svg << SvgRect(kBarLeft, y + 4, net, 32, kInk);
    svg << SvgText(
        kBarLeft + kBarWidth + 16, y + 24,
        Fit("net " + money.Format(g.cost.net_minor), 12, kRight - kBarLeft - kBarWidth - 16),
        "class=\"value\"");
  }
  svg << SvgText(kLeft, kHeight - 24,
                 "net value = revenue - returns - points redeemed - offer discounts",
                 "class=\"note\"");
  svg << "</svg>\n";
  return svg.str();
}

}  // namespace loyalty::report
