#include "tools/report/lifecycle_render.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "tools/report/svg.h"

namespace loyalty::report {

nlohmann::json LifecycleToJson(const LifecycleReport& r) {
  nlohmann::json stages = nlohmann::json::array();
  for (const LifecycleStageRow& s : r.stages) {
    stages.push_back({{"stage", LifecycleName(s.stage)},
                      {"customers", s.customers},
                      {"share_percent", s.share_percent},
                      {"revenue_minor", s.revenue_minor},
                      {"revenue_share_percent", s.revenue_share_percent},
                      {"spend_12m_minor", s.spend_12m_minor}});
  }
  return {{"as_of_ms", r.as_of_ms},
          {"customers", r.customers},
          {"revenue_minor", r.revenue_minor},
          {"stages", stages}};
}

std::string LifecycleToText(const LifecycleReport& r, const Money& money) {
  std::ostringstream out;
  out << CountOf(r.customers, "customer", "customers") << " on the lifecycle ladder, revenue "
      << money.Format(r.revenue_minor) << "\n";
  char line[200];
  std::snprintf(line, sizeof line, "  %-10s %10s %8s %8s %22s %22s\n", "stage", "customers",
                "share", "revenue", "", "last 12 months");
  out << line;
  for (const LifecycleStageRow& s : r.stages) {
    std::snprintf(line, sizeof line, "  %-10s %10s %7.1f%% %7.1f%% %22s %22s\n",
                  LifecycleName(s.stage), Count(s.customers).c_str(), s.share_percent,
                  s.revenue_share_percent, money.Format(s.revenue_minor).c_str(),
                  money.Format(s.spend_12m_minor).c_str());
    out << line;
  }
  return out.str();
}

namespace {

constexpr int kWidth = 960;
constexpr int kHeight = 560;
constexpr double kTop = 150, kRow = 58, kBarHeight = 42;
constexpr double kFunnelCenter = 340, kFunnelWidth = 440;  // the widest rung
constexpr double kRevenueLeft = 640, kRevenueWidth = 260;

constexpr double kLabelPx = 14;  // .callout and .label

// The headline, short enough for the title's 26 px across the chart: what
// the top rungs (patron, advocate, drawn dark) are worth.
std::string Headline(const LifecycleReport& r) {
  const LifecycleStageRow& patron = r.stages[StageIndex(Lifecycle::kPatron)];
  const LifecycleStageRow& advocate = r.stages[StageIndex(Lifecycle::kAdvocate)];
  return "Top rungs: " + Percent(patron.share_percent + advocate.share_percent) +
         " of customers, " +
         Percent(patron.revenue_share_percent + advocate.revenue_share_percent) + " of revenue";
}

// A rung's count: inside its bar when it fits there (white on the dark
// bars, ink on the light ones), else beside the bar in ink (a zero rung
// draws no bar, only the label).
void RungLabel(std::ostringstream& svg, double y, double bar_width, bool dark,
               const std::string& label) {
  const double text_y = y + kBarHeight / 2 + 5;
  if (TextWidth(label, kLabelPx) + 16 <= bar_width) {
    svg << SvgText(kFunnelCenter, text_y, label,
                   std::string("text-anchor=\"middle\" class=\"label\" style=\"fill:") +
                       (dark ? "#ffffff" : kInk) + "\"");
    return;
  }
  svg << SvgText(kFunnelCenter + bar_width / 2 + 8, text_y, label, "class=\"label\"");
}

}  // namespace

std::string LifecycleSvg(const LifecycleReport& r, const Money& money,
                         const std::string& title_note) {
  std::ostringstream svg;
  SvgOpen(svg, kWidth, kHeight, Headline(r),
          CountOf(r.customers, "customer", "customers") + ", " + money.Format(r.revenue_minor) +
              " net revenue",
          title_note);
  uint64_t widest = 1;
  for (const auto& s : r.stages) widest = std::max(widest, s.customers);
  svg << SvgText(kFunnelCenter, kTop - 16, "Customers on each rung",
                 "text-anchor=\"middle\" class=\"label\"");
  svg << SvgText(kRevenueLeft, kTop - 16, "Share of revenue", "class=\"label\"");
  for (int k = 0; k < kLifecycleStages; ++k) {
    const LifecycleStageRow& s = r.stages[k];
    const double y = kTop + k * kRow;
    const double w = s.customers == 0
                         ? 0
                         : std::max(2.0, kFunnelWidth * static_cast<double>(s.customers) / widest);
    const bool top = s.stage == Lifecycle::kPatron || s.stage == Lifecycle::kAdvocate;
    if (w > 0) svg << SvgRect(kFunnelCenter - w / 2, y, w, kBarHeight, top ? kInk : kMuted);
    svg << SvgText(40, y + kBarHeight / 2 + 5, LifecycleName(s.stage), "class=\"label\"");
    RungLabel(svg, y, w, top, Count(s.customers) + " (" + Percent(s.share_percent) + ")");
    const double rw = kRevenueWidth * std::clamp(s.revenue_share_percent, 0.0, 100.0) / 100;
    svg << SvgRect(kRevenueLeft, y + 8, std::max(1.0, rw), kBarHeight - 16,
                   top ? kAccent : kNeutral);
    svg << SvgText(kRevenueLeft + rw + 8, y + kBarHeight / 2 + 5, Percent(s.revenue_share_percent),
                   "class=\"value\"");
  }
  svg << SvgText(40, kHeight - 40,
                 "prospect: enrolled, never bought; tester: one purchase; buyer: repeat; "
                 "account: regular and broad;",
                 "class=\"note\"");
  svg << SvgText(40, kHeight - 22, "patron: top value, long tenure; advocate: recommends us",
                 "class=\"note\"");
  svg << "</svg>\n";
  return svg.str();
}

}  // namespace loyalty::report
