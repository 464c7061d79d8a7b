#include "tools/report/rfm.h"

#include <gtest/gtest.h>

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
  std::vector<RfmInput> v = {{kT0, 1, 500}, {kT0, 1, 500}, {kT0 + kDay, 4, 900}, {0, 0, 0}};
  const RfmReport r = ComputeRfm(v, 0);
  EXPECT_EQ(r.customers, 3u);
  EXPECT_EQ(r.quantiles.customers, 3u);
}

// The report shows the cut points it scored against: nearest-rank
// percentiles of the ladder (purchases 1..10: 2, 4, 6, 8).
TEST(RfmTest, TheReportShowsTheCutPointsItUsed) {
  const RfmReport r = ComputeRfm(Ladder(), 0);
  EXPECT_EQ(r.quantiles.frequency, (std::array<int64_t, 4>{2, 4, 6, 8}));
  EXPECT_EQ(r.quantiles.monetary_minor, (std::array<int64_t, 4>{2000, 4000, 6000, 8000}));
  EXPECT_EQ(r.quantiles.recency_days, (std::array<int64_t, 4>{2, 4, 6, 8}));  // days ago: 9..0
  const nlohmann::json j = RfmToJson(r);
  EXPECT_EQ(j["quantiles"]["frequency"], nlohmann::json::array({2, 4, 6, 8}));
  EXPECT_NE(RfmToText(r, Money{}).find("purchases                     2, 4, 6, 8"),
            std::string::npos);
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
