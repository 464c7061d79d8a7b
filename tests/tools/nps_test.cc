// The NPS report over customers built by hand: promoters, passives and
// detractors overall, per store, per lifecycle stage and per segment.
#include "tools/report/nps.h"

#include <gtest/gtest.h>

#include "tests/support/customers.h"
#include "tools/report/lifecycle.h"
#include "tools/report/nps_render.h"
#include "tools/report/svg.h"

namespace loyalty::report {
namespace {

using testing::Customer;
using testing::kReportNowMs;

CustomerState Answered(const std::string& id, int32_t score, const std::string& store,
                       int64_t spend_minor = 1'000) {
  CustomerState s = Customer(id, 2, spend_minor);
  s.nps_score = score;
  s.nps_store = store;
  s.feedbacks = 1;
  return s;
}

// Scores 10, 9, 9, 8, 7, 6, 0 and one customer who never answered.
NpsReport Survey() {
  RuleSet rules;
  Segment big;
  big.id = "big";
  big.when.spend_12m_min_minor = 5'000;
  rules.segments.push_back(big);
  NpsTally tally(rules, kReportNowMs, nullptr);
  for (const CustomerState& s :
       {Answered("a", 10, "S1", 9'000), Answered("b", 9, "S1"), Answered("c", 9, "S2", 6'000),
        Answered("d", 8, "S2"), Answered("e", 7, "S2"), Answered("f", 6, "S1", 7'000),
        Answered("g", 0, "S2"), Customer("h", 2, 1'000)}) {
    tally.Add(s);
  }
  return tally.Finish();
}

TEST(NpsReportTest, NpsIsPromotersLessDetractorsOverThoseWhoAnswered) {
  const NpsReport r = Survey();
  EXPECT_EQ(r.customers, 8u);
  EXPECT_EQ(r.all.responses(), 7u);
  EXPECT_EQ(r.all.promoters, 3u);
  EXPECT_EQ(r.all.passives, 2u);
  EXPECT_EQ(r.all.detractors, 2u);
  EXPECT_NEAR(r.all.nps(), 100.0 * (3 - 2) / 7, 1e-9);
  const std::array<uint64_t, 11> scores = {1, 0, 0, 0, 0, 0, 1, 1, 1, 2, 1};
  EXPECT_EQ(r.scores, scores);
}

TEST(NpsReportTest, StoresStagesAndSegmentsEachHaveTheirOwnScore) {
  const NpsReport r = Survey();
  ASSERT_EQ(r.by_store.size(), 2u);
  EXPECT_EQ(r.by_store[0].key, "S2");                        // four answers, the most
  EXPECT_NEAR(r.by_store[0].counts.nps(), 0, 1e-9);          // 9, 8, 7, 0
  EXPECT_NEAR(r.by_store[1].counts.nps(), 100.0 / 3, 1e-9);  // 10, 9, 6
  EXPECT_EQ(r.by_lifecycle[StageIndex(Lifecycle::kBuyer)].counts.responses(), 7u);
  ASSERT_EQ(r.by_segment.size(), 1u);
  EXPECT_EQ(r.by_segment[0].key, "big");  // a (10), c (9), f (6)
  EXPECT_EQ(r.by_segment[0].counts.responses(), 3u);
  EXPECT_NEAR(r.by_segment[0].counts.nps(), 100.0 / 3, 1e-9);
}

TEST(NpsReportTest, JsonTextAndChartSayTheSame) {
  const NpsReport r = Survey();
  const nlohmann::json j = NpsToJson(r);
  EXPECT_EQ(j["promoters"], 3);
  EXPECT_EQ(j["scores"][9], 2);
  EXPECT_EQ(j["by_store"][0]["key"], "S2");
  EXPECT_NE(NpsToText(r).find("NPS +14.3 from 7 of 8 customers"), std::string::npos);
  const std::string svg = NpsSvg(r, "");
  EXPECT_NE(svg.find(">NPS +14.3<"), std::string::npos);
  // One bar per score, coloured by group: two green ones (9 and 10).
  const std::string green = std::string("fill=\"") + kGood + "\"";
  std::size_t bars = 0;
  for (std::size_t at = svg.find(green); at != std::string::npos; at = svg.find(green, at + 1)) {
    ++bars;
  }
  EXPECT_EQ(bars, 2u);
}

}  // namespace
}  // namespace loyalty::report
