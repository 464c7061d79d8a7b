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

namespace loyalty::rules_file {
namespace {

// Every kind of mistake a marketer makes, with the exact message they get.
std::vector<std::string> ProblemsOf(const std::string& yaml) {
  std::vector<std::string> out;
  for (const Problem& p : Parse(yaml, "r.yaml").problems) out.push_back(p.ToString());
  return out;
}

TEST(RulesFileHintsTest, UnknownKeySuggestsTheLikelyOne) {
  EXPECT_EQ(ProblemsOf("program: {}\nearn_rules:\n  - { id: a, bonus_pints: 5 }\n"),
            (std::vector<std::string>{
                "r.yaml:3:14: earn_rules[0].bonus_pints: unknown key (did you mean "
                "'bonus_points'?); expected one of: bonus_points, budget_points, cap, id, "
                "multiplier, name, on, points_per_item, priority, stacking, when",
                "r.yaml:3:5: earn_rules[0]: the rule gives nothing: add multiplier, "
                "points_per_item or bonus_points"}));
}

TEST(RulesFileHintsTest, WrongTypeIsNamed) {
  EXPECT_EQ(
      ProblemsOf("program: { pending_days: [1, 2] }\n"),
      (std::vector<std::string>{"r.yaml:1:26: program.pending_days: expected a single value"}));
}

TEST(RulesFileHintsTest, OverlappingTierThresholds) {
  EXPECT_EQ(ProblemsOf("program: {}\ntiers:\n  - { id: member }\n"
                       "  - { id: gold, qualify: { spend_12m: 1000.00 } }\n"
                       "  - { id: silver, qualify: { spend_12m: 500.00 } }\n"),
            (std::vector<std::string>{
                "r.yaml:5:28: tiers[2].qualify: overlaps tier 'gold': list tiers from lowest to "
                "highest, each asking more spend or visits than the one before"}));
}

TEST(RulesFileHintsTest, ReversedDateRange) {
  EXPECT_EQ(
      ProblemsOf("program: {}\nearn_rules:\n"
                 "  - { id: a, bonus_points: 5, when: { date: { from: 2026-09-20, to: "
                 "2026-08-25 } } }\n"),
      (std::vector<std::string>{"r.yaml:3:69: earn_rules[0].when.date: the range is "
                                "reversed: 'to' (2026-08-25) is before 'from' (2026-09-20)"}));
}

TEST(RulesFileHintsTest, MultiplierOutOfBounds) {
  EXPECT_EQ(ProblemsOf("program: {}\nearn_rules:\n  - { id: a, multiplier: 500 }\n"),
            (std::vector<std::string>{
                "r.yaml:3:26: earn_rules[0].multiplier: multiplier 500 is out of bounds: use a "
                "value above 1 up to 100 (2 = double points)"}));
}

TEST(RulesFileHintsTest, DuplicateRuleIds) {
  EXPECT_EQ(ProblemsOf("program: {}\nearn_rules:\n  - { id: a, bonus_points: 5 }\n"
                       "  - { id: a, bonus_points: 6 }\n"),
            (std::vector<std::string>{"r.yaml:4:11: earn_rules[1].id: 'a' is used twice"}));
}

TEST(RulesFileHintsTest, UnknownCategoryAndTierInAReference) {
  EXPECT_EQ(ProblemsOf("program: { categories: [school, toys] }\ntiers: [{ id: member }]\n"
                       "earn_rules:\n"
                       "  - { id: a, multiplier: 2, when: { category: [scool], tier: [gold] } }\n"),
            (std::vector<std::string>{
                "r.yaml:4:48: earn_rules[0].when.category: unknown category 'scool' (did you "
                "mean 'school'?); the categories are listed under program.categories",
                "r.yaml:4:63: earn_rules[0].when.tier: unknown tier 'gold'"}));
}

TEST(RulesFileHintsTest, RuleWithTwoEffectsAndBadTimes) {
  EXPECT_EQ(ProblemsOf("program: {}\nearn_rules:\n"
                       "  - { id: a, multiplier: 2, bonus_points: 5, when: { days: [mon, funday], "
                       "hours: { from: \"10:00\", to: \"09:00\" } } }\n"),
            (std::vector<std::string>{
                "r.yaml:3:60: earn_rules[0].when.days: 'funday' is not a day; use mon tue wed "
                "thu fri sat sun",
                "r.yaml:3:82: earn_rules[0].when.hours: the window is empty or reversed: 'from' "
                "must be before 'to'",
                "r.yaml:3:5: earn_rules[0]: give exactly one of multiplier, points_per_item, "
                "bonus_points (write two rules to combine them)"}));
}

TEST(RulesFileHintsTest, ReadsEveryFeatureOfTheExample) {
  Loaded l = LoadFile(EXAMPLE_RULES_PATH);
  ASSERT_TRUE(l.rules);
  const RuleSet& r = *l.rules;
  EXPECT_EQ(r.tiers.size(), 4u);
  EXPECT_EQ(r.tiers[2].spend_12m_minor, 150000);
  EXPECT_EQ(r.tiers[2].birthday_gift_points, 200);
  EXPECT_TRUE(r.tiers[3].invitation_only);
  EXPECT_EQ(r.tier_policy.grace_days, 30);
  EXPECT_EQ(r.program.utc_offset_minutes, 60);
  ASSERT_EQ(r.earn_rules.size(), 8u);
  EXPECT_EQ(r.earn_rules[0].id, "brand-week");  // priority 10 comes first
  EXPECT_TRUE(r.earn_rules[0].exclusive);
  const EarnRule* school = r.FindRule("back-to-school");
  ASSERT_NE(school, nullptr);
  EXPECT_EQ(school->multiplier_milli, 3000);
  EXPECT_EQ(school->budget_points, 500000);
  // 2026-08-25 00:00 in UTC+1 is 2026-08-24 23:00 UTC.
  EXPECT_EQ(school->from_ms, 1787612400000);
  EXPECT_EQ(r.FindRule("coffee-morning")->days_mask, 0x1f);
  EXPECT_EQ(r.FindRule("welcome")->trigger, Trigger::kEnroll);
}

}  // namespace
}  // namespace loyalty::rules_file
