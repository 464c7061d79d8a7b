// Offers in the pure core: what scenario files cannot show well (the
// holdout's share over many customers, the budget's undo).
#include "engine/offers.h"

#include <gtest/gtest.h>

#include "tests/support/events.h"
#include "tests/support/offers.h"
#include "tests/support/world.h"

namespace loyalty {
namespace {

using testing::kT0;
using testing::L;
using testing::TenPercent;
using testing::World;

TEST(HoldoutTest, HoldsOutTheAskedShareOfCustomersTheSameOnesEveryTime) {
  const Offer a = TenPercent("spring", 100), b = TenPercent("autumn", 100);
  int in_a = 0, in_both = 0;
  constexpr int kCustomers = 20000;
  for (int i = 0; i < kCustomers; ++i) {
    const std::string id = "C" + std::to_string(i);
    const bool held = InHoldout(id, a);
    EXPECT_EQ(held, InHoldout(id, a));  // deterministic
    in_a += held;
    in_both += held && InHoldout(id, b);
  }
  // 10% +- 1 point (the binomial's sd here is 0.2 points).
  EXPECT_GT(in_a, kCustomers * 9 / 100);
  EXPECT_LT(in_a, kCustomers * 11 / 100);
  // Each offer holds out its own customers: about 1% are in both groups.
  EXPECT_GT(in_both, kCustomers * 5 / 1000);
  EXPECT_LT(in_both, kCustomers * 15 / 1000);
  EXPECT_FALSE(InHoldout("C1", TenPercent("none", 0)));
}

TEST(OfferBudgetTest, ASaleRefusedForTheBudgetSpendsNoPoints) {
  RuleSet rules;
  Offer o = TenPercent("flash");
  o.budget_redemptions = 1;
  rules.offers = {o};
  World w(rules);
  ASSERT_EQ(w.Apply(testing::Purchase("T-1", "A", {L("X", 1, 10000)}), kT0).decision.outcome,
            Outcome::kApplied);
  ASSERT_EQ(w.Apply(testing::Purchase("T-2", "B", {L("X", 1, 10000)}), kT0).decision.outcome,
            Outcome::kApplied);

  Event first = testing::Purchase("T-3", "A", {L("X", 1, 5000)}, kT0 + 1000);
  first.lines[0].offer_id = "flash";
  DecideResult r = w.Apply(first, kT0 + 1000);
  EXPECT_EQ(r.decision.outcome, Outcome::kApplied);
  EXPECT_EQ(r.decision.offer_discount_minor, 500);

  // B pays part with points and asks for the offer whose budget is spent:
  // refused whole, the points stay where they were.
  Event second = testing::Purchase("T-4", "B", {L("X", 1, 5000)}, kT0 + 2000);
  second.lines[0].offer_id = "flash";
  second.points = 50;
  r = w.Apply(second, kT0 + 2000);
  EXPECT_EQ(r.decision.outcome, Outcome::kOfferNotAvailable);
  EXPECT_EQ(r.decision.message, "offer flash has used up its budget (1 redemption)");
  EXPECT_EQ(r.decision.points_spent, 0);
  EXPECT_EQ(r.decision.balances.balance, 100);
  EXPECT_EQ(w.Customer("B").balance(), 100);
  EXPECT_EQ(w.Customer("B").redemptions, 0);
  EXPECT_EQ(w.budgets().Used("offer:flash"), 1);
  EXPECT_TRUE(w.Consistent());
}

TEST(OfferRankingTest, PriorityFirstThenTheFavouriteCategoryThenFileOrder) {
  RuleSet rules;
  rules.offers_shown_max = 2;
  Offer plain = TenPercent("plain");
  Offer toys = TenPercent("toys");
  toys.reward_categories = {"toys"};
  Offer urgent = TenPercent("urgent");
  urgent.priority = 5;
  rules.offers = {plain, toys, urgent};
  World w(rules);
  DecideResult r = w.Apply(testing::Purchase("T-1", "A", {L("X", 1, 1000, "toys")}), kT0);
  ASSERT_EQ(r.decision.offers.size(), 2u);
  EXPECT_EQ(r.decision.offers[0].offer_id, "urgent");
  EXPECT_EQ(r.decision.offers[1].offer_id, "toys");
  EXPECT_EQ(r.decision.offers[1].reward, "10% off toys");
  EXPECT_EQ(r.decision.offers[1].valid_until_ms, kT0 + 14 * kMsPerDay);
  EXPECT_EQ(w.Customer("A").offers_issued, 2);
}

}  // namespace
}  // namespace loyalty
