#include "tools/report/nps_render.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "tools/report/format.h"
#include "tools/report/svg.h"

namespace loyalty::report {
namespace {

nlohmann::json CountsJson(const NpsCounts& c) {
  return {{"responses", c.responses()},
          {"nps", c.nps()},
          {"promoters", c.promoters},
          {"passives", c.passives},
          {"detractors", c.detractors}};
}

nlohmann::json RowsJson(const std::vector<NpsRow>& rows) {
  nlohmann::json list = nlohmann::json::array();
  for (const NpsRow& row : rows) {
    nlohmann::json j = CountsJson(row.counts);
    j["key"] = row.key;
    list.push_back(j);
  }
  return list;
}

std::string Signed(double nps) { return (nps > 0 ? "+" : "") + Fixed(nps, 1); }

void RowsText(std::ostringstream& out, const char* title, const std::vector<NpsRow>& rows) {
  out << title << ":\n";
  char line[200];
  for (const NpsRow& row : rows) {
    const NpsCounts& c = row.counts;
    std::snprintf(line, sizeof line, "  %-20s %18s  NPS %6s  (%s / %s / %s)\n",
                  row.key.empty() ? "(no store)" : row.key.c_str(),
                  CountOf(c.responses(), "response", "responses").c_str(),
                  c.responses() == 0 ? "-" : Signed(c.nps()).c_str(), Count(c.promoters).c_str(),
                  Count(c.passives).c_str(), Count(c.detractors).c_str());
    out << line;
  }
}

}  // namespace

nlohmann::json NpsToJson(const NpsReport& r) {
  nlohmann::json j = CountsJson(r.all);
  j["as_of_ms"] = r.as_of_ms;
  j["customers"] = r.customers;
  j["scores"] = r.scores;
  j["by_store"] = RowsJson(r.by_store);
  j["by_lifecycle"] = RowsJson(r.by_lifecycle);
  j["by_segment"] = RowsJson(r.by_segment);
  return j;
}

std::string NpsToText(const NpsReport& r) {
  std::ostringstream out;
  out << "NPS " << Signed(r.all.nps()) << " from " << Count(r.all.responses()) << " of "
      << CountOf(r.customers, "customer", "customers") << ": "
      << CountOf(r.all.promoters, "promoter", "promoters") << ", "
      << CountOf(r.all.passives, "passive", "passives") << ", "
      << CountOf(r.all.detractors, "detractor", "detractors") << "\n"
      << "scores:";
  for (int s = 0; s <= 10; ++s) out << " " << s << ":" << r.scores[s];
  out << "\n";
  RowsText(out, "per store (promoters / passives / detractors)", r.by_store);
  RowsText(out, "per lifecycle stage", r.by_lifecycle);
  if (!r.by_segment.empty()) RowsText(out, "per segment", r.by_segment);
  return out.str();
}

namespace {

constexpr int kWidth = 960;
constexpr int kHeight = 520;
constexpr double kBarsLeft = 60, kBarsTop = 150, kBarsWidth = 560, kBarsHeight = 290;
constexpr double kStoresLeft = 680, kStoresTop = 150;
constexpr std::size_t kStoresShown = 10;

const char* GroupColour(int score) {
  const NpsGroup g = NpsGroupOf(score);
  return g == NpsGroup::kPromoter ? kGood : g == NpsGroup::kPassive ? kNeutral : kBad;
}

void ScoreBars(std::ostringstream& svg, const NpsReport& r) {
  uint64_t highest = 1;
  for (uint64_t n : r.scores) highest = std::max(highest, n);
  const double slot = kBarsWidth / 11;
  for (int s = 0; s <= 10; ++s) {
    const double h = (kBarsHeight - 24) * static_cast<double>(r.scores[s]) / highest;
    const double x = kBarsLeft + s * slot + 4;
    const double y = kBarsTop + kBarsHeight - h;
    svg << SvgRect(x, y, slot - 8, std::max(h, 0.5), GroupColour(s));
    svg << SvgText(x + (slot - 8) / 2, y - 6, Count(r.scores[s]),
                   "text-anchor=\"middle\" class=\"value\"");
    svg << SvgText(x + (slot - 8) / 2, kBarsTop + kBarsHeight + 18, std::to_string(s),
                   "text-anchor=\"middle\" class=\"axis\"");
  }
  svg << SvgText(kBarsLeft, kBarsTop - 16, "Customers by their latest score", "class=\"label\"");
  svg << SvgText(kBarsLeft + kBarsWidth / 2, kBarsTop + kBarsHeight + 42,
                 "score: 0-6 detractors, 7-8 passives, 9-10 promoters",
                 "text-anchor=\"middle\" class=\"label\"");
}

void StoreList(std::ostringstream& svg, const NpsReport& r) {
  svg << SvgText(kStoresLeft, kStoresTop - 16, "NPS per store", "class=\"label\"");
  for (std::size_t i = 0; i < r.by_store.size() && i < kStoresShown; ++i) {
    const NpsRow& row = r.by_store[i];
    const double y = kStoresTop + 10 + i * 28.0;
    const double nps = row.counts.nps();
    // A long store name is cut before its score (12 px, 10 px of air).
    svg << SvgText(kStoresLeft, y, Fit(row.key.empty() ? "(no store)" : row.key, 12, 100),
                   "class=\"value\"");
    svg << SvgText(kStoresLeft + 160, y, Signed(nps),
                   std::string("text-anchor=\"end\" class=\"label\" style=\"fill:") +
                       (nps >= 0 ? kGood : kBad) + "\"");
    svg << SvgText(kStoresLeft + 170, y, CountOf(row.counts.responses(), "answer", "answers"),
                   "class=\"axis\"");
  }
}

}  // namespace

std::string NpsSvg(const NpsReport& r, const std::string& title_note) {
  std::ostringstream svg;
  const NpsCounts& c = r.all;
  if (c.responses() == 0) {  // an NPS of 0 would be a claim: nobody answered yet
    SvgOpen(
        svg, kWidth, kHeight, "NPS: no answers yet",
        r.customers == 1
            ? std::string("the one customer has given no score yet (loyalty feedback)")
            : "none of " + Count(r.customers) + " customers has given a score (loyalty feedback)",
        title_note);
    svg << SvgText(kWidth / 2.0, kBarsTop + kBarsHeight / 2, "no answers yet",
                   "text-anchor=\"middle\" class=\"label\"");
    svg << "</svg>\n";
    return svg.str();
  }
  SvgOpen(
      svg, kWidth, kHeight, "NPS " + Signed(c.nps()),
      CountOf(c.responses(), "customer", "customers") + " answered: " +
          Percent(ShareOf(static_cast<double>(c.promoters), static_cast<double>(c.responses()))) +
          " promoters, " +
          Percent(ShareOf(static_cast<double>(c.detractors), static_cast<double>(c.responses()))) +
          " detractors",
      title_note);
  ScoreBars(svg, r);
  StoreList(svg, r);
  svg << "</svg>\n";
  return svg.str();
}

}  // namespace loyalty::report
