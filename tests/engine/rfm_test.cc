// RFM scores on small and fresh populations (issue 19): fewer customers than
// scores are not scored, a customer equal to a cut point scores with the
// better group, and a fresh store's first buyers are recent and new.
#include "engine/rfm.h"

#include <gtest/gtest.h>

namespace loyalty {
namespace {

constexpr TimeMs kDay = kMsPerDay;
constexpr TimeMs kT0 = 1'780'000'000'000;

// `n` customers, the i-th better than the (i-1)-th on every measure: bought
// last i days after kT0, i + 1 times, for (i + 1) x 10.00.
std::vector<RfmInput> Ladder(int n) {
  std::vector<RfmInput> v;
  for (int i = 0; i < n; ++i) v.push_back({kT0 + i * kDay, 1 + i, 1000 * (i + 1)});
  return v;
}

std::string Scores(const RfmScore& s) {
  return std::to_string(s.recency) + "-" + std::to_string(s.frequency) + "-" +
         std::to_string(s.monetary);
}

// Every customer's scores, "R-F-M" in ladder order.
std::vector<std::string> ScoreAll(const std::vector<RfmInput>& customers, TimeMs now_ms) {
  const RfmQuantiles q = ComputeRfmQuantiles(customers, now_ms);
  std::vector<std::string> out;
  for (const RfmInput& c : customers) out.push_back(Scores(ScoreRfm(q, c, now_ms)));
  return out;
}

TEST(RfmScoreTest, OneOrThreeCustomersAreNotScoredFifthsOfThemSayNothing) {
  for (int n : {1, 3, 4}) {
    const std::vector<RfmInput> v = Ladder(n);
    const TimeMs now = kT0 + n * kDay;
    const RfmQuantiles q = ComputeRfmQuantiles(v, now);
    EXPECT_EQ(q.customers, static_cast<uint64_t>(n));
    EXPECT_FALSE(q.scores()) << n;
    for (const RfmInput& c : v) {
      EXPECT_EQ(ScoreRfm(q, c, now), RfmScore{}) << n;
      EXPECT_STREQ(RfmSegmentOf(ScoreRfm(q, c, now)), "") << n;
    }
  }
}

TEST(RfmScoreTest, FiveCustomersScoreOneToFiveOnePerScore) {
  const std::vector<RfmInput> v = Ladder(5);
  const TimeMs now = kT0 + 4 * kDay;
  const RfmQuantiles q = ComputeRfmQuantiles(v, now);
  EXPECT_TRUE(q.scores());
  // The lowest value of each better fifth: purchases 2, 3, 4, 5; 3, 2, 1, 0 days.
  EXPECT_EQ(q.frequency, (std::array<int64_t, 4>{2, 3, 4, 5}));
  EXPECT_EQ(q.recency_days, (std::array<int64_t, 4>{0, 1, 2, 3}));
  EXPECT_EQ(ScoreAll(v, now),
            (std::vector<std::string>{"1-1-1", "2-2-2", "3-3-3", "4-4-4", "5-5-5"}));
  EXPECT_STREQ(RfmSegmentOf(ScoreRfm(q, v[4], now)), "champions");
  EXPECT_STREQ(RfmSegmentOf(ScoreRfm(q, v[0], now)), "lost");  // 4 days ago, once
}

TEST(RfmScoreTest, SixCustomersTheTwoBestShareTheBestScore) {
  const std::vector<RfmInput> v = Ladder(6);
  const TimeMs now = kT0 + 5 * kDay;
  EXPECT_EQ(ScoreAll(v, now),
            (std::vector<std::string>{"1-1-1", "2-2-2", "3-3-3", "4-4-4", "5-5-5", "5-5-5"}));
}

TEST(RfmScoreTest, ACustomerEqualToACutPointScoresWithTheBetterGroup) {
  // Purchases 1, 2, 2, 3, 5: the cut points are 2, 2, 3, 5. Both customers
  // with 2 purchases reach the first two: F3, together, not F1.
  std::vector<RfmInput> v;
  for (int64_t purchases : {1, 2, 2, 3, 5}) v.push_back({kT0, purchases, 1000 * purchases});
  const RfmQuantiles q = ComputeRfmQuantiles(v, kT0);
  EXPECT_EQ(q.frequency, (std::array<int64_t, 4>{2, 2, 3, 5}));
  std::vector<int> f;
  for (const RfmInput& c : v) f.push_back(ScoreRfm(q, c, kT0).frequency);
  EXPECT_EQ(f, (std::vector<int>{1, 3, 3, 4, 5}));
  // Recency: all bought at kT0, all equal to every cut: R5, the best.
  for (const RfmInput& c : v) EXPECT_EQ(ScoreRfm(q, c, kT0).recency, 5);
}

// A fresh store: six customers bought once, today. They are as recent as
// can be (R5; "0 days" reaches every cut) and they are new, never "loyal"
// or "champions" for want of anyone to compare their one purchase with; a
// recompute an hour later changes nothing (not "1-1-1 lost").
TEST(RfmScoreTest, OnAFreshStoreTodaysFirstBuyersAreRecentAndNew) {
  std::vector<RfmInput> v;
  for (int i = 0; i < 6; ++i) v.push_back({kT0 + i * 60'000, 1, 1000 * (i + 1)});
  for (TimeMs now : {kT0 + 6 * 60'000, kT0 + 3'600'000}) {
    const RfmQuantiles q = ComputeRfmQuantiles(v, now);
    for (const RfmInput& c : v) {
      const RfmScore s = ScoreRfm(q, c, now);
      EXPECT_EQ(s.recency, 5);
      EXPECT_EQ(s.frequency, 5);
      EXPECT_STREQ(RfmSegmentOf(s), "new") << Scores(s);
    }
  }
}

TEST(RfmScoreTest, OneCustomerWithOnePurchaseIsNeverLoyalOrAtRisk) {
  RfmScore once{5, 5, 5, true};
  EXPECT_STREQ(RfmSegmentOf(once), "new");
  once = {2, 4, 4, true};
  EXPECT_STREQ(RfmSegmentOf(once), "lost");
  once = {3, 4, 4, true};
  EXPECT_STREQ(RfmSegmentOf(once), "promising");
  const RfmScore regular{5, 5, 5, false};
  EXPECT_STREQ(RfmSegmentOf(regular), "champions");
}

TEST(RfmScoreTest, TheQuantilesAreOutdatedAfterABulkLoadNotAfterATrickle) {
  EXPECT_FALSE(RfmOutdated(0, 0, true));          // nothing happened
  EXPECT_FALSE(RfmOutdated(0, 4, false));         // a fresh store, loading: not yet 5
  EXPECT_TRUE(RfmOutdated(0, 5, false));          // loading: enough to score
  EXPECT_TRUE(RfmOutdated(0, 1, true));           // a fresh store, the load ended
  EXPECT_TRUE(RfmOutdated(4'000, 2'000, false));  // half the population again
  EXPECT_FALSE(RfmOutdated(4'000, 1'999, false));
  EXPECT_TRUE(RfmOutdated(4'000, 40, true));   // a replay ended: 1 per 100 customers
  EXPECT_FALSE(RfmOutdated(4'000, 39, true));  // a trickle of sales in a quiet hour
  EXPECT_FALSE(RfmOutdated(1'000'000, 100, true));
}

}  // namespace
}  // namespace loyalty
