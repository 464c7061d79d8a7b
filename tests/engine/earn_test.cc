#include "engine/earn.h"

#include <gtest/gtest.h>

#include <numeric>

#include "tests/support/events.h"

namespace loyalty {
namespace {

using testing::L;

int64_t Sum(const std::vector<int64_t>& v) {
  return std::accumulate(v.begin(), v.end(), int64_t{0});
}

TEST(EarnBaseTest, EarnsOnePointPerWholeEuroRoundedDown) {
  RuleSet rules;
  Earning e = EarnBase({L("A", 1, 1234)}, rules, 2);
  EXPECT_EQ(e.total, 12);
  EXPECT_EQ(e.line_points, std::vector<int64_t>{12});
  ASSERT_EQ(e.awards.size(), 1u);
  EXPECT_EQ(e.awards[0].rule_id, "base");
}

TEST(EarnBaseTest, RoundsOncePerBasketSoTheReceiptReconciles) {
  RuleSet rules;
  // Three lines of 0.99: per-line flooring would give 0; the basket earns 2.
  Earning e = EarnBase({L("A", 1, 99), L("B", 1, 99), L("C", 1, 99)}, rules, 2);
  EXPECT_EQ(e.total, 2);
  EXPECT_EQ(Sum(e.line_points), 2);
}

TEST(EarnBaseTest, HonoursEachRoundingMode) {
  RuleSet rules;
  rules.program.rounding = Rounding::kNearest;
  EXPECT_EQ(EarnBase({L("A", 1, 1250)}, rules, 2).total, 13);
  EXPECT_EQ(EarnBase({L("A", 1, 1249)}, rules, 2).total, 12);
  rules.program.rounding = Rounding::kCeil;
  EXPECT_EQ(EarnBase({L("A", 1, 1201)}, rules, 2).total, 13);
  EXPECT_EQ(EarnBase({L("A", 1, 1200)}, rules, 2).total, 12);
}

TEST(EarnBaseTest, AttributesPointsToLinesByLargestRemainder) {
  RuleSet rules;
  rules.program.rounding = Rounding::kCeil;
  Earning e = EarnBase({L("A", 1, 150), L("B", 1, 180), L("C", 1, 120)}, rules, 2);
  EXPECT_EQ(e.total, 5);  // 4.50 rounds up
  EXPECT_EQ(Sum(e.line_points), 5);
  EXPECT_EQ(e.line_points, (std::vector<int64_t>{2, 2, 1}));  // .5 and .8 remainders win
}

TEST(EarnBaseTest, ExcludedCategoriesAndSkusEarnNothing) {
  RuleSet rules;
  rules.program.exclude_categories = {"gift-cards"};
  rules.program.exclude_skus = {"DEPOSIT"};
  Earning e = EarnBase({L("GC50", 1, 5000, "gift-cards"), L("DEPOSIT", 1, 25), L("BREAD", 1, 300)},
                       rules, 2);
  EXPECT_EQ(e.total, 3);
  EXPECT_EQ(e.line_points, (std::vector<int64_t>{0, 0, 3}));
}

TEST(EarnBaseTest, FractionalRatesAndZeroDecimalCurrencies) {
  RuleSet rules;
  rules.program.points_per_unit_milli = 500;  // half a point per unit
  EXPECT_EQ(EarnBase({L("A", 1, 1000)}, rules, 2).total, 5);
  rules.program.points_per_unit_milli = 1000;
  EXPECT_EQ(EarnBase({L("A", 1, 1500)}, rules, 0).total, 1500);  // JPY
}

TEST(EarnBaseTest, NothingEligibleEarnsNothingAndNamesNoRule) {
  RuleSet rules;
  Earning e = EarnBase({L("A", 1, 50)}, rules, 2);
  EXPECT_EQ(e.total, 0);
  EXPECT_TRUE(e.awards.empty());
}

}  // namespace
}  // namespace loyalty
