#include "adapters/yaml/rules_file.h"

#include <gtest/gtest.h>

#include "engine/limits.h"

namespace loyalty::rules_file {
namespace {

TEST(RulesFileTest, ReadsTheProgramSection) {
  Loaded l = Parse(R"(
version: 3
program:
  currency: GBP
  points_per_unit: 1.5
  rounding: nearest
  earn_on: whole_basket
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
  EXPECT_EQ(r.program.earn_on, EarnOn::kWholeBasket);
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
            "bad.yaml:4:3: program.colour: unknown key; expected one of: categories, "
            "comment_retention_days, currency, "
            "earn_on, exclude_categories, exclude_skus, expiry, limits, marketing_consent, "
            "offers_shown, pending_days, "
            "points_per_unit, "
            "redemption, return_policy, rounding, unknown_original, utc_offset");
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

TEST(RulesFileHintsTest, ANumberWithThousandsSeparatorsSaysWhatToWrite) {
  const auto problems = ProblemsOf(
      "program: {}\nearn_rules:\n  - { id: a, bonus_points: 5, budget_points: '150,000' }\n");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0],
            "r.yaml:3:46: earn_rules[0].budget_points: '150,000' is not a whole number: write "
            "150000 (no thousands separators)");
  EXPECT_EQ(
      ProblemsOf("program: { pending_days: ten }\n"),
      (std::vector<std::string>{"r.yaml:1:26: program.pending_days: 'ten' is not a whole number"}));
}

TEST(RulesFileHintsTest, ABadIndentNamesTheLineAndTheLikelyCause) {
  const auto problems =
      ProblemsOf("program: {}\ntiers:\n  - id: member\n  - id: gold\n - id: platinum\n");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("near line "), std::string::npos) << problems[0];
  EXPECT_NE(problems[0].find("the indentation is the likely cause"), std::string::npos)
      << problems[0];
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
  EXPECT_EQ(r.program.earn_on, EarnOn::kMoneyPaid);
  ASSERT_EQ(r.earn_rules.size(), 9u);
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
  EXPECT_EQ(r.FindRule("best-customers")->segments, std::vector<std::string>{"big-spenders"});
}

TEST(RulesFileHintsTest, ReadsKnowingTheCustomerFromTheExample) {
  Loaded l = LoadFile(EXAMPLE_RULES_PATH);
  ASSERT_TRUE(l.rules) << (l.problems.empty() ? "" : l.problems[0].ToString());
  const RuleSet& r = *l.rules;
  EXPECT_EQ(r.offers_shown_max, 3);
  EXPECT_EQ(r.lifecycle.buyer_purchases, 2);
  EXPECT_EQ(r.lifecycle.account_visits_12m, 6);
  EXPECT_EQ(r.lifecycle.account_categories, 3);
  EXPECT_EQ(r.lifecycle.patron_spend_12m_minor, 100000);
  EXPECT_EQ(r.lifecycle.patron_tenure_days, 365);
  EXPECT_EQ(r.lifecycle.advocate_nps_min, 9);
  EXPECT_EQ(r.churn.first_interval_days, 60);
  EXPECT_EQ(r.churn.min_interval_days, 7);
  EXPECT_EQ(r.churn.lost_after_intervals, 3);
  EXPECT_EQ(r.churn.welcome_back_permille, 500);
  EXPECT_EQ(r.affinity_half_life_days, 90);
  ASSERT_EQ(r.segments.size(), 6u);

  const Condition& slipping = r.FindSegment("slipping-regulars")->when;
  EXPECT_EQ(r.segments[0].name, "Regulars slipping away");
  EXPECT_EQ(slipping.lifecycle, (std::vector<Lifecycle>{Lifecycle::kAccount, Lifecycle::kPatron}));
  EXPECT_EQ(slipping.churn_risk_min_permille, 500);
  const Condition& big = r.FindSegment("big-spenders")->when;
  EXPECT_EQ(big.spend_12m_min_minor, 50000);
  EXPECT_EQ(big.rfm_segments, (std::vector<std::string>{"champions", "loyal"}));
  EXPECT_EQ(big.value_min_minor, 30000);
  const Condition& families = r.FindSegment("school-families")->when;
  EXPECT_EQ(families.top_categories, (std::vector<std::string>{"school", "toys"}));
  EXPECT_EQ(families.tenure_days_min, 30);
  EXPECT_EQ(families.visits_12m_min, 3);
  EXPECT_EQ(families.visits_12m_max, 50);
  const Condition& unhappy = r.FindSegment("unhappy")->when;
  EXPECT_EQ(unhappy.nps, std::vector<NpsGroup>{NpsGroup::kDetractor});
  EXPECT_EQ(unhappy.days_since_purchase_max, 60);
  const Condition& gold = r.FindSegment("downtown-gold")->when;
  EXPECT_EQ(gold.tiers, std::vector<std::string>{"gold"});
  EXPECT_EQ(gold.top_stores, std::vector<std::string>{"S1"});
  EXPECT_EQ(gold.churn_risk_max_permille, 300);
  EXPECT_EQ(gold.rfm_recency_min, 3);
  EXPECT_EQ(gold.rfm_frequency_min, 4);
  EXPECT_EQ(gold.rfm_monetary_min, 4);
  const Condition& dormant = r.FindSegment("small-and-dormant")->when;
  EXPECT_EQ(dormant.days_since_purchase_min, 180);
  EXPECT_EQ(dormant.days_since_purchase_max, 720);
  EXPECT_EQ(dormant.spend_12m_max_minor, 5000);

  ASSERT_EQ(r.offers.size(), 3u);
  const Offer& miss = r.offers[0];
  EXPECT_EQ(miss.id, "we-miss-you");
  EXPECT_EQ(miss.name, "10% off your favourite category");
  EXPECT_EQ(miss.target.segments, std::vector<std::string>{"slipping-regulars"});
  EXPECT_EQ(miss.target.churn_risk_min_permille, 700);
  EXPECT_EQ(miss.reward, OfferReward::kDiscountPercent);
  EXPECT_EQ(miss.reward_value, 100);
  EXPECT_TRUE(miss.reward_top_category);
  EXPECT_EQ(miss.from_ms, 0);
  EXPECT_EQ(miss.valid_days, 14);
  EXPECT_EQ(miss.cap_per_customer, 1);
  EXPECT_EQ(miss.budget_redemptions, 5000);
  EXPECT_EQ(miss.holdout_permille, 100);
  EXPECT_EQ(miss.priority, 10);
  const Offer& school = *r.FindOffer("school-voucher");
  EXPECT_EQ(school.reward, OfferReward::kDiscountMinor);
  EXPECT_EQ(school.reward_value, 500);
  EXPECT_EQ(school.reward_categories, std::vector<std::string>{"school"});
  EXPECT_FALSE(school.reward_top_category);
  // 2026-08-18 00:00 in UTC+1, to the end of 2026-09-20.
  EXPECT_EQ(school.from_ms, 1787612400000 - 7 * kMsPerDay);
  EXPECT_EQ(school.to_ms, 1787612400000 + 27 * kMsPerDay);
  EXPECT_EQ(school.early_access_days, 3);
  EXPECT_EQ(school.valid_days, 7);
  EXPECT_EQ(school.holdout_permille, 25);
  EXPECT_EQ(school.budget_redemptions, 0);
  const Offer& sorry = *r.FindOffer("sorry");
  EXPECT_EQ(sorry.reward, OfferReward::kBonusPoints);
  EXPECT_EQ(sorry.reward_value, 200);
  EXPECT_EQ(sorry.target.lifecycle.size(), 3u);
}

TEST(RulesFileHintsTest, DefaultsWithoutTheNewSections) {
  Loaded l = Parse("program: {}\n", "r.yaml");
  ASSERT_TRUE(l.rules);
  const RuleSet defaults;
  EXPECT_EQ(l.rules->offers_shown_max, defaults.offers_shown_max);
  EXPECT_EQ(l.rules->lifecycle.account_visits_12m, defaults.lifecycle.account_visits_12m);
  EXPECT_EQ(l.rules->churn.lost_after_intervals, defaults.churn.lost_after_intervals);
  EXPECT_TRUE(l.rules->segments.empty());
  EXPECT_TRUE(l.rules->offers.empty());
}

TEST(RulesFileHintsTest, EarnRuleIdsCannotLookLikeAnOffers) {
  EXPECT_EQ(
      ProblemsOf("program: {}\nearn_rules:\n  - { id: \"offer:x\", bonus_points: 5 }\n"),
      (std::vector<std::string>{
          "r.yaml:3:11: earn_rules[0].id: 'offer:x' is reserved for the engine's own awards"}));
}

TEST(RulesFileHintsTest, UnknownKeyInAnOffer) {
  EXPECT_EQ(ProblemsOf("program: {}\noffers:\n"
                       "  - { id: a, reward: { bonus_points: 5 }, holdout_percnt: 10 }\n"),
            (std::vector<std::string>{
                "r.yaml:3:43: offers[0].holdout_percnt: unknown key (did you mean "
                "'holdout_percent'?); expected one of: budget, cap, early_access_days, "
                "holdout_percent, id, name, priority, reward, target, valid, valid_days"}));
}

TEST(RulesFileHintsTest, UnknownLifecycleStageNpsGroupAndRfmSegment) {
  EXPECT_EQ(ProblemsOf("program: {}\nsegments:\n"
                       "  - { id: s, when: { lifecycle: [buyer, acount], nps: fan, "
                       "rfm_segment: [champion] } }\n"),
            (std::vector<std::string>{
                "r.yaml:3:41: segments[0].when.lifecycle: 'acount' is not a lifecycle stage (did "
                "you mean 'account'?); use prospect tester buyer account patron advocate",
                "r.yaml:3:55: segments[0].when.nps: 'fan' is not an NPS group; use none "
                "detractor passive promoter",
                "r.yaml:3:74: segments[0].when.rfm_segment: 'champion' is not an RFM segment (did "
                "you mean 'champions'?); use champions loyal new at_risk lost promising "
                "needs_attention"}));
}

TEST(RulesFileHintsTest, UnknownSegmentNamedByAnOfferOrAnEarnRule) {
  EXPECT_EQ(ProblemsOf("program: {}\nsegments:\n"
                       "  - { id: big-spenders, when: { spend_12m_min: 500.00 } }\n"
                       "earn_rules:\n"
                       "  - { id: a, multiplier: 2, when: { segment: big-spender } }\n"
                       "offers:\n"
                       "  - { id: o, reward: { bonus_points: 5 }, target: { segment: [vip] } }\n"),
            (std::vector<std::string>{
                "r.yaml:5:46: earn_rules[0].when.segment: unknown segment 'big-spender' (did you "
                "mean 'big-spenders'?); segments are defined under segments",
                "r.yaml:7:63: offers[0].target.segment: unknown segment 'vip'; segments are "
                "defined under segments"}));
}

TEST(RulesFileHintsTest, SegmentsAreNotMadeOfSegmentsAndNeedConditions) {
  EXPECT_EQ(ProblemsOf("program: {}\nsegments:\n"
                       "  - { id: a, when: { segment: [b] } }\n"
                       "  - { id: b }\n"),
            (std::vector<std::string>{
                "r.yaml:3:31: segments[0].when.segment: a segment cannot be made of other "
                "segments: write its conditions here",
                "r.yaml:4:5: segments[1]: a segment needs conditions: when: { lifecycle: "
                "[account], ... }"}));
}

TEST(RulesFileHintsTest, UnknownCategoryAndTierInAnOffer) {
  EXPECT_EQ(ProblemsOf("program: { categories: [school, toys] }\n"
                       "offers:\n"
                       "  - id: a\n"
                       "    target: { tier: [gold], top_category: tois }\n"
                       "    reward: { discount: 5.00, category: [scool] }\n"),
            (std::vector<std::string>{
                "r.yaml:4:43: offers[0].target.top_category: unknown category 'tois' (did you "
                "mean 'toys'?); the categories are listed under program.categories",
                "r.yaml:5:42: offers[0].reward.category: unknown category 'scool' (did you mean "
                "'school'?); the categories are listed under program.categories",
                "r.yaml:4:22: offers[0].target.tier: unknown tier 'gold'"}));
}

TEST(RulesFileHintsTest, OfferWithTwoRewardsOrNone) {
  EXPECT_EQ(ProblemsOf("program: {}\noffers:\n"
                       "  - { id: a, reward: { discount_percent: 10, bonus_points: 50 } }\n"
                       "  - { id: b, reward: { category: top_affinity } }\n"
                       "  - { id: c }\n"),
            (std::vector<std::string>{
                "r.yaml:3:22: offers[0].reward: give exactly one of discount_percent, discount, "
                "bonus_points (write two offers to give both)",
                "r.yaml:4:22: offers[1].reward: the offer gives nothing: add discount_percent, "
                "discount or bonus_points",
                "r.yaml:5:5: offers[2]: an offer needs a reward: { discount_percent: 10 }, { "
                "discount: 5.00 } or { bonus_points: 200 }"}));
}

TEST(RulesFileHintsTest, OfferNumbersOutOfBounds) {
  EXPECT_EQ(ProblemsOf("program: {}\noffers:\n"
                       "  - id: a\n"
                       "    target: { churn_risk_min: 1.5, visits_12m_min: 5, visits_12m_max: 2 }\n"
                       "    reward: { discount_percent: 120 }\n"
                       "    holdout_percent: 60\n"
                       "    early_access_days: 3\n"),
            (std::vector<std::string>{
                "r.yaml:4:31: offers[0].target.churn_risk_min: must be between 0 and 1 (0 = on "
                "time, 1 = lost)",
                "r.yaml:4:71: offers[0].target.visits_12m_max: is below visits_12m_min (5)",
                "r.yaml:5:33: offers[0].reward.discount_percent: must be above 0 and at most 100",
                "r.yaml:7:24: offers[0].early_access_days: early access is counted back from a "
                "start date: add valid: { from: YYYY-MM-DD }",
                "r.yaml:6:22: offers[0].holdout_percent: must be between 0 and 50: the holdout is "
                "the customers kept from the offer to measure it, a minority"}));
}

TEST(RulesFileHintsTest, ReversedOfferDates) {
  EXPECT_EQ(ProblemsOf("program: {}\noffers:\n"
                       "  - { id: a, reward: { bonus_points: 5 }, valid: { from: 2026-09-20, to: "
                       "2026-08-25 } }\n"),
            (std::vector<std::string>{"r.yaml:3:74: offers[0].valid: the range is reversed: 'to' "
                                      "(2026-08-25) is before 'from' (2026-09-20)"}));
}

TEST(RulesFileHintsTest, LifecycleAndChurnThresholdsOutOfBounds) {
  EXPECT_EQ(ProblemsOf("program: {}\n"
                       "lifecycle: { buyer: { purchases: 1 }, account: { categories: 20 }, "
                       "advocate: { nps: 9 } }\n"
                       "churn: { lost_after_intervals: 1, welcome_back_at: 2 }\n"),
            (std::vector<std::string>{
                "r.yaml:2:34: lifecycle.buyer.purchases: must be between 2 and 100000",
                "r.yaml:2:62: lifecycle.account.categories: must be between 0 and 8",
                "r.yaml:2:80: lifecycle.advocate.nps: unknown key; expected one of: nps_min",
                "r.yaml:3:32: churn.lost_after_intervals: must be between 2 and 100",
                "r.yaml:3:52: churn.welcome_back_at: must be between 0 and 1 (a churn risk)"}));
}

TEST(RulesFileTest, ReadsTheHostLimitsOrKeepsTheirDefaults) {
  Loaded l = Parse(
      "program:\n  currency: EUR\n"
      "  limits: { basket_total_max: 5000.00, points_per_event_max: 100000, "
      "event_age_max_days: 3 }\n",
      "r.yaml");
  ASSERT_TRUE(l.rules) << (l.problems.empty() ? "" : l.problems[0].ToString());
  EXPECT_EQ(l.rules->program.limits.basket_total_max_minor, 500000);
  EXPECT_EQ(l.rules->program.limits.points_per_event_max, 100000);
  EXPECT_EQ(l.rules->program.limits.event_age_max_days, 3);
  Loaded d = Parse("program: {}\n", "r.yaml");
  ASSERT_TRUE(d.rules);
  EXPECT_EQ(d.rules->program.limits.basket_total_max_minor, limits::kBasketTotalMinorDefaultMax);
  EXPECT_EQ(d.rules->program.limits.points_per_event_max, limits::kPointsPerEventDefaultMax);
  EXPECT_EQ(d.rules->program.limits.event_age_max_days, 7);
}

TEST(RulesFileHintsTest, HostLimitsOutOfBoundsAreNamed) {
  EXPECT_EQ(ProblemsOf("program:\n  limits: { basket_total_max: 0, points_per_event_max: 0, "
                       "event_age_max_days: 90, event_age_max_day: 1 }\n"),
            (std::vector<std::string>{
                "r.yaml:2:83: program.limits.event_age_max_day: unknown key (did you mean "
                "'event_age_max_days'?); expected one of: basket_total_max, event_age_max_days, "
                "points_per_event_max",
                "r.yaml:2:31: program.limits.basket_total_max: must be above 0 (the largest "
                "basket a till may send, e.g. 5000.00)",
                "r.yaml:2:56: program.limits.points_per_event_max: must be between 1 and "
                "1000000000",
                "r.yaml:2:79: program.limits.event_age_max_days: must be between 1 and 60"}));
  EXPECT_EQ(ProblemsOf("program: { limits: { basket_total_max: 12.345 } }\n"),
            (std::vector<std::string>{"r.yaml:1:40: program.limits.basket_total_max: '12.345' is "
                                      "not a number with at most 2 decimals (like 12.5)"}));
}

}  // namespace
}  // namespace loyalty::rules_file
