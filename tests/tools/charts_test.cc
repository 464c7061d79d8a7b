// Every report's chart drawn from the real data set (../shared/data, the
// UCI Online Retail invoices, through the pure core with the example rules
// rules.online-retail.yaml), converted to PNG by rsvg-convert, and checked for text beyond the
// view box. The PNGs stay in the build tree (charts/) for a person to look at.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <regex>

#include "adapters/yaml/rules_file.h"
#include "proto/wire_codec.h"
#include "tools/report/reports.h"
#include "tools/simulate/event_source.h"
#include "tools/simulate/simulator.h"

namespace loyalty::report {
namespace {

const std::string kCsv = std::string(SHARED_DATA_DIR) + "/online_retail_uci_2010-2011.csv.gz";

// Font sizes of the shared style sheet (svg.cc), in px.
const std::map<std::string, double> kFontPx = {{"title", 26},  {"sub", 14},   {"label", 14},
                                               {"axis", 12},   {"value", 12}, {"note", 12},
                                               {"callout", 14}};

// Text elements whose estimated extent (0.62 em a character, more than
// Helvetica's average, so conservative) leaves the view box.
std::vector<std::string> Overflowing(const std::string& svg) {
  const std::regex box(R"re(viewBox="0 0 (\d+) (\d+)")re");
  std::smatch m;
  if (!std::regex_search(svg, m, box)) return {"no viewBox"};
  const double width = std::stod(m[1]), height = std::stod(m[2]);
  const std::regex text(R"re(<text x="([-\d.]+)" y="([-\d.]+)" ([^>]*)>([^<]*)</text>)re");
  std::vector<std::string> out;
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), text); it != std::sregex_iterator();
       ++it) {
    const double x = std::stod((*it)[1]), y = std::stod((*it)[2]);
    const std::string attrs = (*it)[3], content = (*it)[4];
    std::smatch cls;
    const double px =
        std::regex_search(attrs, cls, std::regex(R"re(class="(\w+)")re")) ? kFontPx.at(cls[1]) : 16;
    std::size_t chars = 0;
    for (unsigned char c : std::regex_replace(content, std::regex("&\\w+;"), "&")) {
      chars += (c & 0xc0) != 0x80;
    }
    const double w = 0.62 * px * static_cast<double>(chars);
    double left = x;
    if (attrs.find("text-anchor=\"middle\"") != std::string::npos) left = x - w / 2;
    if (attrs.find("text-anchor=\"end\"") != std::string::npos) left = x - w;
    if (left < 0 || left + w > width || y - px < 0 || y > height) out.push_back(content);
  }
  return out;
}

class ChartsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rules_file::Loaded loaded =
        rules_file::LoadFile(std::string(SOURCE_DIR) + "/deploy/rules.online-retail.yaml");
    ASSERT_TRUE(loaded.rules);
    rules_ = new RuleSet(*loaded.rules);
    run_ = new simulate::Run(std::make_shared<const RuleSet>(*rules_));
    auto source = simulate::EventSource::Open(kCsv);
    ASSERT_TRUE(source.ok()) << source.status().ToString();
    TimeMs now_ms = 0;
    while (true) {
      auto next = (*source)->Next();
      ASSERT_TRUE(next.ok());
      if (!*next) break;
      Event e;
      if (wire::DecodeRequest(**next, &e) || e.kind == EventKind::kLookup) continue;
      now_ms = std::max(now_ms, e.event_time_ms);
      run_->Apply(e, now_ms);
    }
    run_->Finish(now_ms);
  }
  static std::string Chart(const char* name) {
    const auto kind = ReportKindOf(name);
    auto made = MakeReport({*kind, rules_, 0, Money{"GBP"}, "Online Retail 2010-2011"},
                           [](const CustomerVisit& visit) {
                             for (const auto& [id, state] : run_->customers()) {
                               if (Status s = visit(state); !s.ok()) return s;
                             }
                             return Status::Ok();
                           });
    EXPECT_TRUE(made.ok()) << name;
    return made.ok() ? made->svg : "";
  }
  static RuleSet* rules_;
  static simulate::Run* run_;
};
RuleSet* ChartsTest::rules_ = nullptr;
simulate::Run* ChartsTest::run_ = nullptr;

TEST_F(ChartsTest, EveryChartRendersToPngWithNoTextBeyondItsViewBox) {
  ASSERT_GT(run_->customers().size(), 4000u);
  const std::string dir = std::string(CHARTS_DIR);
  ASSERT_EQ(std::system(("mkdir -p " + dir).c_str()), 0);
  for (const char* name : kReportNames) {
    const std::string svg = Chart(name);
    ASSERT_EQ(svg.rfind("<svg", 0), 0u) << name;
    EXPECT_EQ(Overflowing(svg), std::vector<std::string>{}) << name;
    const std::string base = dir + "/" + name;
    std::ofstream(base + ".svg") << svg;
    ASSERT_EQ(std::system(("rsvg-convert -o " + base + ".png " + base + ".svg").c_str()), 0)
        << name << ": rsvg-convert (Debian librsvg2-bin) could not draw it";
    std::ifstream png(base + ".png", std::ios::binary);
    char magic[4] = {};
    png.read(magic, 4);
    EXPECT_EQ(std::string(magic + 1, 3), "PNG") << name;
  }
}

TEST_F(ChartsTest, TheParetoChartNamesTheDataPeriod) {
  EXPECT_NE(Chart("pareto").find("purchases from 2010-12-01 to 2011-12-09"), std::string::npos);
}

TEST(ChartsCheckTest, TheOverflowCheckCatchesALongTitle) {
  EXPECT_EQ(Overflowing(R"(<svg viewBox="0 0 100 100"><text x="40" y="48" class="title">)"
                        R"(far too long for this box</text></svg>)"),
            std::vector<std::string>{"far too long for this box"});
}

TEST(ChartsCheckTest, AStoreWithNoAnswersSaysSoInsteadOfAnNpsOfZero) {
  const RuleSet rules;
  auto made = MakeReport({ReportKind::kNps, &rules, 0, Money{"EUR"}, ""},
                         [](const CustomerVisit&) { return Status::Ok(); });
  ASSERT_TRUE(made.ok());
  EXPECT_NE(made->svg.find("no answers yet"), std::string::npos);
  EXPECT_EQ(made->svg.find("NPS 0"), std::string::npos);
}

}  // namespace
}  // namespace loyalty::report
