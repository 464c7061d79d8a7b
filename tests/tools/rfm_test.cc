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
  const std::vector<RfmScore> s = ScoreRfm(Ladder());
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(s[i].recency, 1 + i / 2) << i;
    EXPECT_EQ(s[i].frequency, 1 + i / 2) << i;
    EXPECT_EQ(s[i].monetary, 1 + i / 2) << i;
  }
}

TEST(RfmTest, TiesShareAScoreAndCustomersWhoNeverBoughtAreLeftOut) {
  std::vector<RfmInput> v = {{kT0, 1, 500}, {kT0, 1, 500}, {kT0 + kDay, 4, 900}, {0, 0, 0}};
  const std::vector<RfmScore> s = ScoreRfm(v);
  EXPECT_EQ(s[0].frequency, s[1].frequency);
  EXPECT_EQ(s[0].frequency, 1);
  EXPECT_EQ(s[2].frequency, 1 + 5 * 2 / 3);  // two of three are worse
  EXPECT_EQ(s[3].recency, 0);
  EXPECT_EQ(ComputeRfm(v, 0).customers, 3u);
}

TEST(RfmTest, SegmentsFollowTheDocumentedOrder) {
  EXPECT_STREQ(RfmSegmentOf({5, 5, 5}), "champions");
  EXPECT_STREQ(RfmSegmentOf({1, 5, 1}), "loyal");
  EXPECT_STREQ(RfmSegmentOf({5, 1, 2}), "new");
  EXPECT_STREQ(RfmSegmentOf({2, 3, 3}), "at_risk");
  EXPECT_STREQ(RfmSegmentOf({1, 1, 1}), "lost");
  EXPECT_STREQ(RfmSegmentOf({3, 2, 1}), "promising");
  EXPECT_STREQ(RfmSegmentOf({3, 3, 3}), "needs_attention");
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
