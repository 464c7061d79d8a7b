#include "adapters/yaml/rules_file.h"

#include <gtest/gtest.h>

namespace loyalty::rules_file {
namespace {

TEST(RulesFileTest, ReadsTheProgramSection) {
  Loaded l = Parse(R"(
version: 3
program:
  currency: GBP
  points_per_unit: 1.5
  rounding: nearest
  exclude_categories: [gift-cards]
  pending_days: 14
  expiry: { policy: rolling, days: 180 }
  redemption: { point_value_minor: 2, min_points: 100, max_share_of_basket: 0.25 }
tiers:
  - { id: bronze, name: Bronze }
)",
                   "r.yaml");
  ASSERT_TRUE(l.rules) << (l.problems.empty() ? "" : l.problems[0].ToString());
  const RuleSet& r = *l.rules;
  EXPECT_EQ(r.version, 3u);
  EXPECT_EQ(r.program.currency, "GBP");
  EXPECT_EQ(r.program.points_per_unit_milli, 1500);
  EXPECT_EQ(r.program.rounding, Rounding::kNearest);
  EXPECT_EQ(r.program.exclude_categories, std::vector<std::string>{"gift-cards"});
  EXPECT_EQ(r.program.pending_days, 14);
  EXPECT_EQ(r.program.expiry_days, 180);
  EXPECT_EQ(r.program.point_value_minor, 2);
  EXPECT_EQ(r.program.min_redeem_points, 100);
  EXPECT_EQ(r.program.max_share_of_basket_permille, 250);
  EXPECT_EQ(r.base_tier, "bronze");
}

TEST(RulesFileTest, NamesFileLineAndColumnOfEveryMistake) {
  Loaded l = Parse(
      "program:\n"
      "  currency: EUX\n"
      "  rounding: flor\n"
      "  colour: red\n",
      "bad.yaml");
  EXPECT_FALSE(l.rules);
  ASSERT_EQ(l.problems.size(), 3u);
  EXPECT_EQ(l.problems[0].ToString(),
            "bad.yaml:4:3: program.colour: unknown key; expected one of: categories, currency, "
            "exclude_categories, exclude_skus, expiry, pending_days, points_per_unit, redemption, "
            "return_policy, rounding, unknown_original, utc_offset");
  EXPECT_EQ(l.problems[1].ToString(),
            "bad.yaml:2:13: program.currency: 'EUX' is not an ISO 4217 code like EUR");
  EXPECT_EQ(l.problems[2].ToString(),
            "bad.yaml:3:13: program.rounding: 'flor' is not one of: floor, nearest, ceil");
}

TEST(RulesFileTest, RefusesPointsThatExpireBeforeTheyCanBeSpent) {
  Loaded l = Parse("program: { pending_days: 30, expiry: { days: 10 } }\n", "r.yaml");
  ASSERT_EQ(l.problems.size(), 1u);
  EXPECT_NE(l.problems[0].message.find("expire before they become spendable"), std::string::npos);
}

TEST(RulesFileTest, BrokenYamlIsAProblemNotACrash) {
  Loaded l = Parse("program: [unclosed\n", "r.yaml");
  ASSERT_EQ(l.problems.size(), 1u);
  EXPECT_NE(l.problems[0].message.find("not valid YAML"), std::string::npos);
}

TEST(RulesFileTest, DuplicateTierIdsAreNamed) {
  Loaded l = Parse(
      "program: {}\ntiers:\n  - { id: a }\n  - { id: a, qualify: { visits_12m: 2 } }\n", "r.yaml");
  ASSERT_EQ(l.problems.size(), 1u);
  EXPECT_EQ(l.problems[0].ToString(), "r.yaml:4:11: tiers[1].id: 'a' is used twice");
}

TEST(RulesFileTest, TheShippedExampleIsValid) {
  Loaded l = LoadFile(EXAMPLE_RULES_PATH);
  EXPECT_TRUE(l.rules) << (l.problems.empty() ? "" : l.problems[0].ToString());
}

}  // namespace
}  // namespace loyalty::rules_file
