// The lifecycle and cost-to-serve reports over customers built by hand with
// the default thresholds (rules.h LifecycleRules): counts, shares and money
// a reader can check on paper.
#include "tools/report/lifecycle.h"

#include <gtest/gtest.h>

#include "tests/support/customers.h"
#include "tools/report/cost.h"
#include "tools/report/cost_render.h"
#include "tools/report/lifecycle_render.h"

namespace loyalty::report {
namespace {

using testing::Customer;
using testing::kReportNowMs;

CustomerState WithCategories(CustomerState s) {
  s.category_affinity = {{"tea", 3}, {"cups", 2}, {"cake", 1}};
  return s;
}

// One of each rung but buyer, which has two.
std::vector<CustomerState> Ladder() {
  CustomerState advocate = Customer("ad", 3, 300'000);
  advocate.nps_score = 10;
  return {Customer("p", 0, 0),
          Customer("t", 1, 1'000),
          Customer("b1", 3, 3'000),
          Customer("b2", 2, 1'000),
          WithCategories(Customer("a", 8, 10'000)),  // 6+ visits, 3 categories
          Customer("pa", 3, 200'000),                // 1,000.00 in 12 months, 400 days
          advocate};
}

LifecycleReport LadderReport() {
  LifecycleTally tally(LifecycleRules{}, kReportNowMs);
  for (const CustomerState& s : Ladder()) tally.Add(s);
  return tally.Finish();
}

TEST(LifecycleReportTest, CountsEachRungAndItsShareOfCustomersAndRevenue) {
  const LifecycleReport r = LadderReport();
  EXPECT_EQ(r.customers, 7u);
  EXPECT_EQ(r.revenue_minor, 515'000);
  const std::array<uint64_t, 6> expected = {1, 1, 2, 1, 1, 1};
  for (int k = 0; k < kLifecycleStages; ++k) {
    EXPECT_EQ(r.stages[k].customers, expected[k]) << LifecycleName(r.stages[k].stage);
  }
  const LifecycleStageRow& buyer = r.stages[StageIndex(Lifecycle::kBuyer)];
  EXPECT_EQ(buyer.revenue_minor, 4'000);
  EXPECT_NEAR(buyer.share_percent, 200.0 / 7, 1e-9);
  EXPECT_NEAR(r.stages[StageIndex(Lifecycle::kPatron)].revenue_share_percent,
              100.0 * 200'000 / 515'000, 1e-9);
}

TEST(LifecycleReportTest, JsonTextAndChartNameTheStages) {
  const LifecycleReport r = LadderReport();
  const nlohmann::json j = LifecycleToJson(r);
  EXPECT_EQ(j["stages"].size(), 6u);
  EXPECT_EQ(j["stages"][2]["stage"], "buyer");
  EXPECT_EQ(j["stages"][2]["customers"], 2);
  EXPECT_NE(LifecycleToText(r, Money{"EUR"}).find("5,150.00 EUR"), std::string::npos);
  const std::string svg = LifecycleSvg(r, Money{"EUR"}, "");
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  // Patrons and advocates: 2 of 7 customers, 500,000 of 515,000.
  EXPECT_NE(svg.find("Top rungs: 28.6% of customers, 97.1% of revenue"), std::string::npos);
}

TEST(CostReportTest, NetValueIsRevenueLessReturnsRedemptionsAndDiscounts) {
  CustomerState good = Customer("good", 4, 8'000);
  good.gross_spend_minor = 10'000;
  good.returned_minor = 2'000;
  good.redeemed_minor = 500;
  good.offer_discount_minor = 500;
  CustomerState costly = Customer("costly", 1, 1'000);
  costly.redeemed_minor = 1'500;
  CostTally tally(LifecycleRules{}, kReportNowMs);
  for (const CustomerState& s : {good, costly, Customer("p", 0, 0)}) tally.Add(s);
  const CostReport r = tally.Finish();
  EXPECT_EQ(r.all.customers, 3u);
  EXPECT_EQ(r.all.cost.revenue_minor, 11'000);
  EXPECT_EQ(r.all.cost.returns_minor, 2'000);
  EXPECT_EQ(r.all.cost.redeemed_minor, 2'000);
  EXPECT_EQ(r.all.cost.discounts_minor, 500);
  EXPECT_EQ(r.all.cost.net_minor, 6'500);
  EXPECT_EQ(r.losing.customers, 1u);
  EXPECT_EQ(r.losing.cost.net_minor, -500);
  EXPECT_EQ(r.by_lifecycle[StageIndex(Lifecycle::kBuyer)].cost.net_minor, 7'000);
  EXPECT_EQ(r.by_lifecycle[StageIndex(Lifecycle::kTester)].cost.net_minor, -500);
  EXPECT_EQ(r.by_lifecycle[StageIndex(Lifecycle::kProspect)].customers, 1u);
  const nlohmann::json j = CostToJson(r);
  EXPECT_EQ(j["losing"]["customers"], 1);
  EXPECT_EQ(j["total"]["net_minor"], 6'500);
  EXPECT_NE(CostToText(r, Money{}).find("1 customer costs more than they bring: -5.00"),
            std::string::npos);
}

TEST(CostReportTest, DecilesRankCustomersByNetValueBestFirst) {
  CostTally tally(LifecycleRules{}, kReportNowMs);
  for (int i = 1; i <= 20; ++i) tally.Add(Customer("c" + std::to_string(i), 2, 1'000 * i));
  const CostReport r = tally.Finish();
  EXPECT_EQ(r.deciles[0].customers, 2u);
  EXPECT_EQ(r.deciles[0].cost.net_minor, 20'000 + 19'000);
  EXPECT_EQ(r.deciles[9].cost.net_minor, 1'000 + 2'000);
  uint64_t customers = 0;
  for (const CostGroup& d : r.deciles) customers += d.customers;
  EXPECT_EQ(customers, 20u);
}

}  // namespace
}  // namespace loyalty::report
