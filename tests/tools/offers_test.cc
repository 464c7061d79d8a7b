// The offers report over customers built by hand: issues, redemptions and
// the uplift of the treated over the holdout group.
#include "tools/report/offers.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "tests/support/customers.h"
#include "tools/report/more_charts.h"
#include "tools/report/offers_render.h"

namespace loyalty::report {
namespace {

using testing::Customer;

CustomerState With(const std::string& id, std::vector<OfferUse> uses) {
  CustomerState s = Customer(id, 2, 1'000);
  s.offer_uses = std::move(uses);
  for (const OfferUse& u : s.offer_uses) {
    s.offers_issued += u.holdout ? 0 : u.issued;
    s.offers_redeemed += u.redeemed;
  }
  return s;
}

OfferUse Use(const std::string& offer, bool holdout, int32_t issued, int32_t redeemed,
             int64_t spend_since_minor, int32_t visits_since) {
  OfferUse u;
  u.offer_id = offer;
  u.holdout = holdout;
  u.issued = issued;
  u.redeemed = redeemed;
  u.spend_since_minor = spend_since_minor;
  u.visits_since = visits_since;
  return u;
}

OffersReport Campaign() {
  RuleSet rules;
  Offer tea, cake;
  tea.id = "tea";
  tea.name = "Tea -10%";
  tea.holdout_permille = 100;
  cake.id = "cake";
  cake.name = "Cake 2 for 1";
  rules.offers = {tea, cake};
  OffersTally tally(rules);
  CustomerState t1 =
      With("t1", {Use("tea", false, 2, 1, 6'000, 3), Use("gone", false, 1, 1, 0, 0)});
  t1.offer_discount_minor = 250;
  for (const CustomerState& s :
       {t1, With("t2", {Use("tea", false, 1, 0, 2'000, 1)}),
        With("h1", {Use("tea", true, 1, 0, 3'000, 1)}),
        With("t3", {Use("cake", false, 1, 1, 500, 1)}), Customer("none", 1, 100)}) {
    tally.Add(s);
  }
  return tally.Finish();
}

TEST(OffersReportTest, CountsIssuesAndRedemptionsOfTreatedCustomersOnly) {
  const OffersReport r = Campaign();
  ASSERT_EQ(r.offers.size(), 2u);
  const OfferRow& tea = r.offers[0];
  EXPECT_EQ(tea.id, "tea");
  EXPECT_EQ(tea.issued, 3);
  EXPECT_EQ(tea.redeemed, 1);
  EXPECT_EQ(tea.redeemers, 1u);
  EXPECT_NEAR(tea.redemption_rate_percent, 100.0 / 3, 1e-9);
  EXPECT_EQ(tea.treated.customers, 2u);
  EXPECT_EQ(tea.holdout.customers, 1u);
  EXPECT_EQ(r.customers, 5u);
  EXPECT_EQ(r.discounts_minor, 250);
  EXPECT_EQ(r.offers_issued, 5);  // the offer no longer in the rules too
}

TEST(OffersReportTest, UpliftIsTheTreatedMeanOverTheHoldoutMean) {
  const OffersReport r = Campaign();
  const OfferRow& tea = r.offers[0];
  EXPECT_NEAR(tea.treated.mean_spend_minor(), 4'000, 1e-9);  // (6,000 + 2,000) / 2
  EXPECT_NEAR(tea.holdout.mean_spend_minor(), 3'000, 1e-9);
  ASSERT_TRUE(tea.spend_uplift_minor && tea.spend_uplift_percent && tea.visits_uplift);
  EXPECT_NEAR(*tea.spend_uplift_minor, 1'000, 1e-9);
  EXPECT_NEAR(*tea.spend_uplift_percent, 100.0 / 3, 1e-9);
  EXPECT_NEAR(*tea.visits_uplift, 1, 1e-9);      // 2 visits against 1
  EXPECT_FALSE(r.offers[1].spend_uplift_minor);  // no holdout for cake: no measure
}

TEST(OffersReportTest, JsonAndTextShowBothGroupsSizes) {
  const OffersReport r = Campaign();
  const nlohmann::json j = OffersToJson(r);
  EXPECT_EQ(j["offers"][0]["treated"]["customers"], 2);
  EXPECT_EQ(j["offers"][0]["holdout"]["customers"], 1);
  EXPECT_TRUE(j["offers"][1]["spend_uplift_minor"].is_null());
  const std::string text = OffersToText(r, Money{"EUR"});
  EXPECT_NE(text.find("uplift: +10.00 EUR spend per customer (33.3%), 1.00 visits; no interval "
                      "yet (a group has fewer than 2 customers)"),
            std::string::npos);
  EXPECT_NE(text.find("not measurable yet"), std::string::npos);
}

// Worked by hand: treated spent 50.00 and 30.00 (mean 40.00, variance
// 2,000,000 minor units squared), holdout 20.00 and 40.00 (mean 30.00, the
// same variance). Standard error sqrt(2e6/2 + 2e6/2) = 1,414.21; Welch's
// degrees of freedom (2e6)^2 / (1e12/1 + 1e12/1) = 2, t = 4.303; the
// interval is 1,000 -/+ 6,085.38.
TEST(OffersReportTest, TheUpliftHasAWelchNinetyFivePercentInterval) {
  RuleSet rules;
  Offer tea;
  tea.id = "tea";
  tea.name = "Tea -10%";
  rules.offers = {tea};
  OffersTally tally(rules);
  tally.Add(With("t1", {Use("tea", false, 1, 0, 5'000, 1)}));
  tally.Add(With("t2", {Use("tea", false, 1, 0, 3'000, 1)}));
  tally.Add(With("h1", {Use("tea", true, 1, 0, 2'000, 1)}));
  tally.Add(With("h2", {Use("tea", true, 1, 0, 4'000, 1)}));
  const OfferRow tea_row = tally.Finish().offers[0];
  ASSERT_TRUE(tea_row.spend_uplift_ci95_low_minor && tea_row.spend_uplift_ci95_high_minor);
  EXPECT_NEAR(*tea_row.spend_uplift_ci95_low_minor, 1'000 - 4.303 * 1'414.2136, 0.01);
  EXPECT_NEAR(*tea_row.spend_uplift_ci95_high_minor, 1'000 + 4.303 * 1'414.2136, 0.01);
  EXPECT_EQ(UpliftInterval(tea_row, Money{"EUR"}),
            "95% CI -50.85 EUR to +70.85 EUR, not shown to work yet");
  EXPECT_EQ(
      OffersToJson(OffersReport{.offers = {tea_row}})["offers"][0]["spend_uplift_ci95_high_minor"]
          .get<double>(),
      *tea_row.spend_uplift_ci95_high_minor);
  const std::string svg = OffersSvg(OffersReport{.offers = {tea_row}}, Money{"EUR"}, "");
  EXPECT_NE(svg.find(">95% CI -50.85 EUR to +70.85 EUR<"), std::string::npos) << svg;
}

TEST(OffersReportTest, AnIntervalAboveZeroSaysTheOfferWorks) {
  OfferRow row;
  row.spend_uplift_ci95_low_minor = 120;
  row.spend_uplift_ci95_high_minor = 480;
  EXPECT_EQ(UpliftInterval(row, Money{"GBP"}), "95% CI +1.20 GBP to +4.80 GBP, shown to work");
  row.spend_uplift_ci95_low_minor = -480;
  row.spend_uplift_ci95_high_minor = -120;
  EXPECT_EQ(UpliftInterval(row, Money{"GBP"}),
            "95% CI -4.80 GBP to -1.20 GBP, shown to lower spend");
}

TEST(OffersReportTest, StudentsTFollowsTheTableAndTendsToTheNormal) {
  EXPECT_DOUBLE_EQ(StudentT975(0.4), 12.706);  // below 1: 1
  EXPECT_DOUBLE_EQ(StudentT975(2.9), 4.303);   // rounded down
  EXPECT_DOUBLE_EQ(StudentT975(30), 2.042);
  EXPECT_NEAR(StudentT975(40), 2.021, 0.001);
  EXPECT_NEAR(StudentT975(120), 1.980, 0.001);
  EXPECT_NEAR(StudentT975(1e9), 1.960, 0.001);
}

}  // namespace
}  // namespace loyalty::report
