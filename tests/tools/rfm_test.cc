#include "tools/report/rfm.h"

#include <gtest/gtest.h>

#include "tools/report/more_charts.h"
#include "tools/report/rfm_render.h"

namespace loyalty::report {
namespace {

constexpr TimeMs kDay = kMsPerDay;
constexpr TimeMs kT0 = 1'300'000'000'000;

// Ten customers, the i-th better than the (i-1)-th on every measure.
std::vector<RfmInput> Ladder() {
  std::vector<RfmInput> v;
  for (int i = 0; i < 10; ++i) v.push_back({kT0 + i * kDay, 1 + i, 1000 * (i + 1)});
  return v;
}

TEST(RfmTest, ScoresAreQuintilesOfThePopulationFiveBeingTheBest) {
  const std::vector<RfmInput> ladder = Ladder();
  const RfmQuantiles q = ComputeRfmQuantiles(ladder, kT0 + 9 * kDay);
  for (int i = 0; i < 10; ++i) {
    const RfmScore s = ScoreRfm(q, ladder[i], kT0 + 9 * kDay);
    EXPECT_EQ(s.recency, 1 + i / 2) << i;
    EXPECT_EQ(s.frequency, 1 + i / 2) << i;
    EXPECT_EQ(s.monetary, 1 + i / 2) << i;
  }
}

TEST(RfmTest, CustomersWhoNeverBoughtAreLeftOut) {
  std::vector<RfmInput> v = {{kT0, 1, 500}, {kT0, 1, 500}, {kT0 + kDay, 4, 900},
                             {kT0, 2, 700}, {kT0, 3, 800}, {0, 0, 0}};
  const RfmReport r = ComputeRfm(v, 0);
  EXPECT_EQ(r.customers, 5u);
  EXPECT_EQ(r.quantiles.customers, 5u);
}

// The report shows the cut points it scored against: the lowest value of
// each better fifth of the ladder (purchases 1..10: 3, 5, 7, 9).
TEST(RfmTest, TheReportShowsTheCutPointsItUsed) {
  const RfmReport r = ComputeRfm(Ladder(), 0);
  EXPECT_EQ(r.quantiles.frequency, (std::array<int64_t, 4>{3, 5, 7, 9}));
  EXPECT_EQ(r.quantiles.monetary_minor, (std::array<int64_t, 4>{3000, 5000, 7000, 9000}));
  EXPECT_EQ(r.quantiles.recency_days, (std::array<int64_t, 4>{1, 3, 5, 7}));  // days ago: 9..0
  const nlohmann::json j = RfmToJson(r);
  EXPECT_EQ(j["quantiles"]["frequency"], nlohmann::json::array({3, 5, 7, 9}));
  EXPECT_EQ(j["scored"], true);
  EXPECT_NE(RfmToText(r, Money{}).find("purchases                     3, 5, 7, 9"),
            std::string::npos);
}

// One, three customers: fewer than the five scores. The report scores
// nobody and says why, in text, JSON and its chart; five and six score all.
TEST(RfmTest, AReportOnFewerCustomersThanScoresSaysSoInsteadOfScoring) {
  for (int n : {1, 3}) {
    const std::vector<RfmInput> all = Ladder();
    const std::vector<RfmInput> v(all.begin(), all.begin() + n);
    const RfmReport r = ComputeRfm(v, 0);
    EXPECT_EQ(r.customers, 0u) << n;
    EXPECT_EQ(r.quantiles.customers, static_cast<uint64_t>(n));
    const std::string why = (n == 1 ? "1 customer has" : "3 customers have") +
                            std::string(" bought; RFM scores need at least 5, one per score");
    EXPECT_EQ(RfmToText(r, Money{"GBP"}), why + ": nobody is scored yet\n");
    const nlohmann::json j = RfmToJson(r);
    EXPECT_EQ(j["scored"], false);
    EXPECT_EQ(j["not_scored_why"], why);
    const std::string svg = RfmSvg(r, "");
    EXPECT_NE(svg.find("not scored yet"), std::string::npos) << svg;
    EXPECT_NE(svg.find(why), std::string::npos) << svg;
  }
  for (int n : {5, 6}) {
    const std::vector<RfmInput> all = Ladder();
    const std::vector<RfmInput> v(all.begin(), all.begin() + n);
    const RfmReport r = ComputeRfm(v, 0);
    EXPECT_EQ(r.customers, static_cast<uint64_t>(n));
    EXPECT_EQ(RfmToJson(r)["scored"], true);
    EXPECT_EQ(RfmToJson(r).count("not_scored_why"), 0u);
    EXPECT_EQ(r.recency_by_frequency[4][4], n == 5 ? 1u : 2u);  // the best: 5-5
    EXPECT_EQ(r.recency_by_frequency[0][0], 1u);                // the worst: 1-1
  }
}

TEST(RfmTest, TheReportAddsUpToThePopulation) {
  const RfmReport r = ComputeRfm(Ladder(), 0);
  EXPECT_EQ(r.customers, 10u);
  EXPECT_EQ(r.as_of_ms, kT0 + 9 * kDay);  // the latest purchase
  uint64_t customers = 0, grid = 0;
  double share = 0;
  for (const RfmSegment& s : r.segments) {
    customers += s.customers;
    share += s.revenue_share_percent;
  }
  for (const auto& row : r.recency_by_frequency)
    for (uint64_t n : row) grid += n;
  EXPECT_EQ(customers, 10u);
  EXPECT_EQ(grid, 10u);
  EXPECT_NEAR(share, 100, 1e-9);
  EXPECT_EQ(r.segments[0].name, "champions");
  EXPECT_EQ(r.segments[0].customers, 4u);  // R, F, M >= 4: the best four
  EXPECT_NEAR(r.segments[0].revenue_share_percent, 100.0 * (10 + 9 + 8 + 7) / 55, 1e-9);
  EXPECT_NEAR(r.segments[0].mean_days_since_purchase, 1.5, 1e-9);  // 0, 1, 2, 3 days
  EXPECT_EQ(RfmToJson(r)["segments"][0]["customers"], 4);
}

}  // namespace
}  // namespace loyalty::report
