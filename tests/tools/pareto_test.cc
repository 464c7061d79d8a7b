#include "tools/report/pareto.h"

#include <gtest/gtest.h>

#include "tools/report/pareto_render.h"

namespace loyalty::report {
namespace {

TEST(ParetoTest, EqualCustomersShareEqually) {
  const ParetoReport r = ComputePareto(std::vector<int64_t>(50, 1000));
  EXPECT_EQ(r.customers, 50u);
  EXPECT_EQ(r.revenue_minor, 50'000);
  EXPECT_NEAR(r.top20_share_percent, 20, 1e-9);
  EXPECT_NEAR(r.bottom20_share_percent, 20, 1e-9);
  ASSERT_TRUE(r.top_to_bottom_ratio);
  EXPECT_NEAR(*r.top_to_bottom_ratio, 1, 1e-9);
  EXPECT_NEAR(r.gini, 0, 1e-9);
  for (double d : r.decile_share_percent) EXPECT_NEAR(d, 10, 1e-9);
}

TEST(ParetoTest, TenCustomersGiveDecilesOfOneCustomerEach) {
  // Revenues 1..10 (x100), in no particular order: the best tenth is the 10.
  const ParetoReport r = ComputePareto({300, 1000, 100, 700, 200, 900, 400, 600, 500, 800});
  EXPECT_NEAR(r.top20_share_percent, 100.0 * 19 / 55, 1e-9);
  EXPECT_NEAR(r.bottom20_share_percent, 100.0 * 3 / 55, 1e-9);
  EXPECT_NEAR(*r.top_to_bottom_ratio, 19.0 / 3, 1e-9);
  for (int k = 0; k < 10; ++k) {
    EXPECT_NEAR(r.decile_share_percent[k], 100.0 * (10 - k) / 55, 1e-9) << "decile " << k + 1;
    EXPECT_EQ(r.decile_revenue_minor[k], (10 - k) * 100);
  }
  EXPECT_NEAR(r.lorenz[0], 0, 1e-12);
  EXPECT_NEAR(r.lorenz[kLorenzPoints], 1, 1e-12);
}

TEST(ParetoTest, TheCustomerOnTheBoundaryCountsInProportion) {
  // 3 customers: the top 20% is 0.6 of the best one.
  const ParetoReport r = ComputePareto({500, 100, 400});
  EXPECT_NEAR(r.top20_share_percent, 100.0 * 0.6 * 500 / 1000, 1e-9);
  EXPECT_NEAR(r.bottom20_share_percent, 100.0 * 0.6 * 100 / 1000, 1e-9);
}

TEST(ParetoTest, OneCustomerWithEverythingHasNoRatio) {
  const ParetoReport r = ComputePareto({0, 0, 0, 0, 7000});
  EXPECT_NEAR(r.top20_share_percent, 100, 1e-9);
  EXPECT_FALSE(r.top_to_bottom_ratio);
  EXPECT_NEAR(r.gini, 0.8, 1e-9);  // n-1/n for one owner of all among n
  EXPECT_EQ(ParetoToJson(r)["top20_to_bottom20_ratio"], nullptr);
}

TEST(ParetoTest, NoCustomersGiveZerosNotNaN) {
  const ParetoReport r = ComputePareto({});
  EXPECT_EQ(r.customers, 0u);
  EXPECT_EQ(r.top20_share_percent, 0);
  EXPECT_EQ(ParetoToJson(r)["top20_share"], 0.0);
}

TEST(ParetoRenderTest, JsonHasTheTopTwentyShareInPercent) {
  const nlohmann::json j = ParetoToJson(ComputePareto({300, 1000, 100, 700, 200}));
  EXPECT_NEAR(j["top20_share"].get<double>(), 100.0 * 1000 / 2300, 1e-9);
  EXPECT_EQ(j["deciles"].size(), 10u);
  EXPECT_EQ(j["lorenz"].size(), static_cast<std::size_t>(kLorenzPoints + 1));
  EXPECT_EQ(j["customers"], 5);
}

TEST(ParetoRenderTest, TheChartStatesTheHeadlineAndEscapesTheNote) {
  const std::string svg =
      ParetoSvg(ComputePareto({300, 1000, 100, 700, 200}), Money{"GBP"}, "Shop <A&B>");
  EXPECT_EQ(svg.rfind("<svg ", 0), 0u);
  EXPECT_NE(svg.find("The top 20% of customers bring 43.5% of revenue"), std::string::npos);
  EXPECT_NE(svg.find("23.00 GBP net revenue"), std::string::npos);
  EXPECT_NE(svg.find("Shop &lt;A&amp;B&gt;"), std::string::npos);
  EXPECT_EQ(svg.find("nan"), std::string::npos);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
}

TEST(ParetoRenderTest, MoneyIsGroupedInThousands) {
  EXPECT_EQ(Money{"GBP"}.Format(891140734), "8,911,407.34 GBP");
  EXPECT_EQ(Money{}.Format(-12345), "-123.45");
  EXPECT_EQ(Money{"JPY"}.Format(1234567), "1,234,567 JPY");
}

}  // namespace
}  // namespace loyalty::report
