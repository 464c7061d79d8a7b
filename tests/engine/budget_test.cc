// Campaign budgets in the pure core: a decision reads what is used and
// proposes draws; it never changes a budget itself (engine/budget.h).
#include "engine/budget.h"

#include <gtest/gtest.h>

#include "engine/decide.h"
#include "engine/offers.h"
#include "tests/support/events.h"
#include "tests/support/offers.h"

namespace loyalty {
namespace {

using testing::kT0;
using testing::L;
using testing::TenPercent;

DecideResult DecideOn(const Event& e, const RuleSet& rules, const BudgetsUsed& used) {
  return Decide(DecideInput{e, nullptr, nullptr, nullptr, rules, kT0, &used, nullptr});
}

void ExpectSameEffects(const DecideResult& a, const DecideResult& b) {
  EXPECT_EQ(a.decision, b.decision);
  EXPECT_EQ(a.effects.ledger, b.effects.ledger);
  EXPECT_EQ(a.effects.txn, b.effects.txn);
  EXPECT_EQ(a.effects.budget_draws, b.effects.budget_draws);
  EXPECT_EQ(a.effects.state, b.effects.state);
}

TEST(PureBudgetsTest, OneDecisionTwiceOnTheSameViewProposesTheSameDraws) {
  RuleSet rules;
  EarnRule bonus;
  bonus.id = "launch";
  bonus.bonus_points = 50;
  bonus.budget_points = 120;
  rules.earn_rules.push_back(bonus);
  BudgetsUsed used;
  used.Add("launch", 100);  // 20 left
  const BudgetsUsed before = used;

  const Event e = testing::Purchase("T-1", "C1", {L("A", 1, 1000)});
  const DecideResult first = DecideOn(e, rules, used);
  const DecideResult second = DecideOn(e, rules, used);
  ASSERT_EQ(first.decision.outcome, Outcome::kApplied);
  EXPECT_EQ(first.decision.points_earned, 10 + 20);  // base, and what is left of the bonus
  const std::vector<BudgetDraw> want = {{"launch", 120, 20}};
  EXPECT_EQ(first.effects.budget_draws, want);
  ExpectSameEffects(first, second);
  EXPECT_EQ(used, before);  // proposed, not taken
}

// Offer A has redemptions left, offer B none: the sale is refused on B, and
// A's budget is not drawn either (a refusal proposes nothing).
TEST(PureBudgetsTest, ARefusalProposesNoDrawTheSameEveryTime) {
  RuleSet rules;
  rules.offers = {TenPercent("a", 0, 5), TenPercent("b", 0, 1)};
  BudgetsUsed used;
  used.Add(OfferBudgetId(rules.offers[1]), 1);
  const BudgetsUsed before = used;

  Event e = testing::Purchase("T-1", "C1", {L("X", 1, 1000), L("Y", 1, 1000)});
  e.lines[0].offer_id = "a";
  e.lines[1].offer_id = "b";
  // The customer exists, so the refusal is about the offer, not the card.
  CustomerState c;
  c.customer_id = "C1";
  c.cards = {"C1"};
  c.tier = rules.base_tier;
  const DecideResult first =
      Decide(DecideInput{e, &c, nullptr, nullptr, rules, kT0, &used, nullptr});
  const DecideResult second =
      Decide(DecideInput{e, &c, nullptr, nullptr, rules, kT0, &used, nullptr});
  EXPECT_EQ(first.decision.outcome, Outcome::kOfferNotAvailable);
  EXPECT_EQ(first.decision.message, "offer b has used up its budget (1 redemption)");
  EXPECT_TRUE(first.effects.budget_draws.empty());
  ExpectSameEffects(first, second);
  EXPECT_EQ(used, before);
}

TEST(PureBudgetsTest, DrawsFitOrNotAsAWhole) {
  BudgetsUsed used;
  used.Add("x", 8);
  EXPECT_TRUE(used.Fits({{"x", 10, 2}, {"y", 5, 5}}));
  EXPECT_FALSE(used.Fits({{"x", 10, 3}, {"y", 5, 1}}));
  used.Apply({{"x", 10, 2}, {"y", 5, 5}});
  EXPECT_EQ(used.Left("x", 10), 0);
  EXPECT_EQ(used.Left("y", 5), 0);

  BudgetDraws draws(&used);
  EXPECT_EQ(draws.Take("z", 3, 2), 2);
  EXPECT_EQ(draws.Take("z", 3, 2), 1);  // this decision's own draws count
  EXPECT_EQ(draws.Left("z", 3), 0);
  const std::vector<BudgetDraw> one = {{"z", 3, 3}};
  EXPECT_EQ(draws.draws(), one);
  BudgetDraws none(nullptr);
  EXPECT_EQ(none.Take("z", 3, 1), 0);  // no view: every budget counts as spent
}

}  // namespace
}  // namespace loyalty
