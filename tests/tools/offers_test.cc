// The offers report over customers built by hand: issues, redemptions and
// the uplift of the treated over the holdout group.
#include "tools/report/offers.h"

#include <gtest/gtest.h>

#include "tests/support/customers.h"
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
  EXPECT_NE(text.find("uplift: +10.00 EUR spend per customer (33.3%), 1.00 visits"),
            std::string::npos);
  EXPECT_NE(text.find("not measurable yet"), std::string::npos);
}

}  // namespace
}  // namespace loyalty::report
