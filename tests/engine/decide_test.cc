#include "engine/decide.h"

#include <gtest/gtest.h>

#include "engine/limits.h"
#include "tests/support/events.h"
#include "tests/support/world.h"

namespace loyalty {
namespace {

using testing::kT0;
using testing::L;
using testing::World;

constexpr TimeMs kDay = kMsPerDay;

RuleSet PendingRules(int pending_days) {
  RuleSet r;
  r.program.pending_days = pending_days;
  return r;
}

TEST(PurchaseTest, EarnsAndEnrolsAnUnknownCardOnTheSpot) {
  World w;
  DecideResult r = w.Apply(testing::Purchase("T-1", "4242", {L("A", 1, 1234)}), kT0);
  EXPECT_EQ(r.decision.outcome, Outcome::kApplied);
  EXPECT_EQ(r.decision.points_earned, 12);
  EXPECT_EQ(r.decision.balances.balance, 12);
  EXPECT_EQ(r.decision.customer_id, "4242");
  EXPECT_TRUE(r.effects.link_card);
  EXPECT_EQ(w.Customer("4242").version, 1u);
  EXPECT_EQ(w.Customer("4242").visits, 1);
  EXPECT_EQ(w.Customer("4242").spend_minor, 1234);
  EXPECT_TRUE(w.Consistent());
}

// A till that was offline sends the sale three days late: the card it
// enrolled has been a member since the sale, not since it reached us, so
// the cashier does not read "member for less than a day".
TEST(PurchaseTest, ACardEnrolledByABackdatedPurchaseIsAMemberSinceTheSale) {
  World w;
  const TimeMs sold = kT0 - 3 * kDay;
  w.Apply(testing::Purchase("T-1", "4242", {L("A", 1, 1234)}, sold), kT0);
  EXPECT_EQ(w.Customer("4242").enrolled_at_ms, sold);
  EXPECT_EQ(w.Customer("4242").tier_since_ms, sold);
  const Profile p = w.View("4242", kT0);
  ASSERT_TRUE(p.signals.has_value());
  EXPECT_EQ(p.signals->tenure_days, 3);
  bool said = false;
  for (const std::string& h : p.hints) said = said || h.find("member for 3 days") != h.npos;
  EXPECT_TRUE(said) << ::testing::PrintToString(p.hints);
  // A register clock a little ahead of ours never makes anyone a member
  // "from the future".
  w.Apply(testing::Purchase("T-2", "5151", {L("A", 1, 100)}, kT0 + 60'000), kT0);
  EXPECT_EQ(w.Customer("5151").enrolled_at_ms, kT0);
}

TEST(PurchaseTest, PointsArePendingUntilTheReturnWindowCloses) {
  World w(PendingRules(14));
  DecideResult r = w.Apply(testing::Purchase("T-1", "C", {L("A", 1, 5000)}), kT0);
  EXPECT_EQ(r.decision.balances.pending, 50);
  EXPECT_EQ(r.decision.balances.spendable, 0);
  // Fourteen full days after the day of purchase, at midnight UTC.
  EXPECT_EQ(ViewProfile(w.Customer("C"), kT0 + 15 * kDay - 1).balances.spendable, 0);
  const Profile later = ViewProfile(w.Customer("C"), kT0 + 15 * kDay);
  EXPECT_EQ(later.balances.spendable, 50);
  EXPECT_EQ(later.balances.pending, 0);
}

TEST(PurchaseTest, PointsEarnedOnOneDayShareOneLot) {
  World w;
  for (int i = 0; i < 50; ++i) {
    w.Apply(testing::Purchase("T-" + std::to_string(i), "C", {L("A", 1, 1000)}, kT0 + i * 60'000),
            kT0 + i * 60'000);
  }
  w.Apply(testing::Purchase("T-next-day", "C", {L("A", 1, 1000)}, kT0 + kDay), kT0 + kDay);
  ASSERT_EQ(w.Customer("C").lots.size(), 2u);
  EXPECT_EQ(w.Customer("C").lots[0].points, 500);
  EXPECT_EQ(w.Customer("C").lots[0].expires_at_ms, kT0 + 366 * kDay);
  EXPECT_EQ(w.Ledger("C").size(), 51u);  // one entry per purchase all the same
  EXPECT_TRUE(w.Consistent());
}

TEST(PurchaseTest, EveryEarningIsOneLedgerEntryThatNamesItsTransaction) {
  World w;
  w.Apply(testing::Purchase("T-1", "C", {L("A", 2, 1000)}), kT0);
  ASSERT_EQ(w.Ledger("C").size(), 1u);
  const LedgerEntry& e = w.Ledger("C")[0];
  EXPECT_EQ(e.kind, LedgerKind::kEarn);
  EXPECT_EQ(e.points, 20);
  EXPECT_EQ(e.transaction_id, "T-1");
  EXPECT_EQ(e.seq, 1u);
}

TEST(IdempotencyTest, ASecondSendOfTheSamePayloadIsAReplayThatWritesNothing) {
  World w;
  const Event e = testing::Purchase("T-1", "C", {L("A", 1, 1234)});
  w.Apply(e, kT0);
  DecideResult again = w.Apply(e, kT0 + 1000);
  EXPECT_TRUE(again.replay);
  EXPECT_FALSE(again.effects.state);
  EXPECT_FALSE(again.effects.txn);
  EXPECT_EQ(w.Customer("C").balance(), 12);
}

TEST(IdempotencyTest, AResendStampedWithAnotherTimeIsStillTheSameSale) {
  World w;
  w.Apply(testing::Purchase("T-1", "C", {L("A", 1, 1234)}, kT0), kT0);
  EXPECT_TRUE(w.Apply(testing::Purchase("T-1", "C", {L("A", 1, 1234)}, kT0 + 5000), kT0).replay);
}

TEST(IdempotencyTest, TheSameIdWithAnotherPayloadIsRefusedAndChangesNothing) {
  World w;
  w.Apply(testing::Purchase("T-1", "C", {L("A", 1, 1234)}), kT0);
  DecideResult r = w.Apply(testing::Purchase("T-1", "C", {L("A", 1, 9999)}), kT0);
  EXPECT_EQ(r.decision.outcome, Outcome::kDuplicateDifferentPayload);
  EXPECT_FALSE(r.effects.state);
  EXPECT_FALSE(r.effects.txn);
  EXPECT_EQ(w.Customer("C").balance(), 12);
}

TEST(IdempotencyTest, TheSameIdFromAnotherCardIsADifferentPayload) {
  World w;
  w.Apply(testing::Purchase("T-1", "C1", {L("A", 1, 1234)}), kT0);
  DecideResult r = w.Apply(testing::Purchase("T-1", "C2", {L("A", 1, 1234)}), kT0);
  EXPECT_EQ(r.decision.outcome, Outcome::kDuplicateDifferentPayload);
}

TEST(EnrollTest, EnrolsOnceThenSaysAlreadyEnrolled) {
  World w;
  Event e;
  e.kind = EventKind::kEnroll;
  e.card = "C";
  e.customer_id = "crm-7";
  e.birthday = Date{1990, 5, 17};
  DecideResult first = w.Apply(e, kT0);
  EXPECT_EQ(first.decision.outcome, Outcome::kApplied);
  EXPECT_EQ(w.Customer("C").customer_id, "crm-7");
  EXPECT_EQ(w.Customer("C").tier, "member");
  DecideResult second = w.Apply(e, kT0);
  EXPECT_EQ(second.decision.outcome, Outcome::kAlreadyEnrolled);
  EXPECT_FALSE(second.effects.state);
}

TEST(PurchaseTest, LotsStayBoundedEvenWhenPointsNeverExpire) {
  RuleSet rules;
  rules.program.expiry_days = 0;  // one lot per earning day, forever
  World w(rules);
  for (int d = 0; d < 4200; ++d) {
    const TimeMs at = kT0 + d * kDay;
    w.Apply(testing::Purchase("T-" + std::to_string(d), "C", {L("A", 1, 100)}, at), at);
  }
  EXPECT_EQ(w.Customer("C").lots.size(), limits::kLotsPerCustomerMax);
  EXPECT_EQ(w.Customer("C").balance(), 4200);  // merged, never lost
  EXPECT_TRUE(w.Consistent());
}

TEST(RedeemTest, SpendsTheSoonestExpiringSpendablePointsFirst) {
  World w;
  w.Apply(testing::Purchase("T-1", "C", {L("A", 1, 60000)}), kT0);  // 600, expires first
  w.Apply(testing::Purchase("T-2", "C", {L("A", 1, 40000)}, kT0 + 10 * kDay), kT0 + 10 * kDay);
  DecideResult r = w.Apply(testing::Redeem("R-1", "C", 700, 200000), kT0 + 20 * kDay);
  ASSERT_EQ(r.decision.outcome, Outcome::kApplied);
  EXPECT_EQ(r.decision.points_spent, 700);
  EXPECT_EQ(r.decision.discount_minor, 700);
  ASSERT_EQ(w.Customer("C").lots.size(), 1u);
  EXPECT_EQ(w.Customer("C").lots[0].source_transaction_id, "T-2");
  EXPECT_EQ(w.Customer("C").lots[0].points, 300);
  EXPECT_TRUE(w.Consistent());
}

TEST(RedeemTest, RefusesWhenSpendableBalanceIsShort) {
  World w(PendingRules(14));
  w.Apply(testing::Purchase("T-1", "C", {L("A", 1, 100000)}), kT0);  // 1000 pending
  DecideResult r = w.Apply(testing::Redeem("R-1", "C", 500, 100000), kT0 + kDay);
  EXPECT_EQ(r.decision.outcome, Outcome::kInsufficientPoints);
  EXPECT_EQ(w.Customer("C").balance(), 1000);
  ASSERT_TRUE(r.effects.txn);  // the refusal is stored: a retry gets the same answer
  EXPECT_EQ(r.effects.txn->outcome, Outcome::kInsufficientPoints);
}

TEST(RedeemTest, RefusesBelowTheMinimumAndBeyondTheBasketShare) {
  RuleSet rules;
  rules.program.min_redeem_points = 500;
  rules.program.max_share_of_basket_permille = 500;
  World w(rules);
  w.Apply(testing::Purchase("T-1", "C", {L("A", 1, 200000)}), kT0);  // 2000 points
  EXPECT_EQ(w.Apply(testing::Redeem("R-1", "C", 499, 100000), kT0).decision.outcome,
            Outcome::kBelowMinimumRedemption);
  EXPECT_EQ(w.Apply(testing::Redeem("R-2", "C", 600, 1000), kT0).decision.outcome,
            Outcome::kExceedsBasketShare);  // 6.00 off a 10.00 basket
  EXPECT_EQ(w.Apply(testing::Redeem("R-3", "C", 500, 1000), kT0).decision.outcome,
            Outcome::kApplied);  // exactly half
}

TEST(RedeemTest, AnUnknownCardCannotRedeem) {
  World w;
  DecideResult r = w.Apply(testing::Redeem("R-1", "nobody", 10, 1000), kT0);
  EXPECT_EQ(r.decision.outcome, Outcome::kUnknownCard);
  EXPECT_FALSE(r.effects.txn);
}

TEST(ExpiryTest, ExpiredLotsLeaveThroughTheLedgerOnTheNextEvent) {
  RuleSet rules;
  rules.program.expiry_days = 30;
  World w(rules);
  w.Apply(testing::Purchase("T-1", "C", {L("A", 1, 5000)}), kT0);
  EXPECT_EQ(ViewProfile(w.Customer("C"), kT0 + 31 * kDay).balances.balance, 0);  // a view
  EXPECT_EQ(w.Customer("C").balance(), 50);  // ...writes nothing
  w.Apply(testing::Purchase("T-2", "C", {L("A", 1, 1000)}, kT0 + 31 * kDay), kT0 + 31 * kDay);
  const auto& ledger = w.Ledger("C");
  ASSERT_EQ(ledger.size(), 3u);
  EXPECT_EQ(ledger[1].kind, LedgerKind::kExpire);
  EXPECT_EQ(ledger[1].points, -50);
  EXPECT_EQ(w.Customer("C").balance(), 10);
  EXPECT_TRUE(w.Consistent());
}

TEST(ExpiryTest, ALateSaleWhosePointsAreAlreadyPastExpiryEarnsAndExpiresAtOnce) {
  RuleSet rules;
  rules.program.expiry_days = 30;
  World w(rules);
  DecideResult r =
      w.Apply(testing::Purchase("T-old", "C", {L("A", 1, 5000)}, kT0), kT0 + 40 * kDay);
  EXPECT_EQ(r.decision.points_earned, 50);
  EXPECT_EQ(r.decision.balances.balance, 0);
  ASSERT_EQ(w.Ledger("C").size(), 2u);
  EXPECT_EQ(w.Ledger("C")[1].kind, LedgerKind::kExpire);
  EXPECT_TRUE(w.Consistent());
}

TEST(ReturnTest, ReversesExactlyWhatTheReturnedLinesEarned) {
  World w;
  w.Apply(testing::Purchase("T-1", "C", {L("SHOE", 1, 8000), L("SOCK", 3, 500)}), kT0);  // 80 + 15
  DecideResult r = w.Apply(testing::Return("RT-1", "T-1", "C", {L("SOCK", 2, 500)}), kT0);
  ASSERT_EQ(r.decision.outcome, Outcome::kApplied);
  EXPECT_EQ(r.decision.points_reversed, 10);
  EXPECT_EQ(w.Customer("C").balance(), 85);
  EXPECT_EQ(w.Customer("C").spend_minor, 8500);
  EXPECT_TRUE(w.Consistent());
}

TEST(ReturnTest, ALineReturnedInPartsGivesBackExactlyItsPointsWithoutDrift) {
  World w;
  w.Apply(testing::Purchase("T-1", "C", {L("PEN", 3, 333)}), kT0);  // 9.99 -> 9 points
  int64_t reversed = 0;
  for (int i = 0; i < 3; ++i) {
    DecideResult r =
        w.Apply(testing::Return("RT-" + std::to_string(i), "T-1", "C", {L("PEN", 1, 333)}), kT0);
    reversed += r.decision.points_reversed;
  }
  EXPECT_EQ(reversed, 9);
  EXPECT_EQ(w.Customer("C").balance(), 0);
}

TEST(ReturnTest, ReturningTheSameLineTwiceIsRefused) {
  World w;
  w.Apply(testing::Purchase("T-1", "C", {L("SHOE", 1, 8000)}), kT0);
  w.Apply(testing::Return("RT-1", "T-1", "C", {L("SHOE", 1, 8000)}), kT0);
  DecideResult r = w.Apply(testing::Return("RT-2", "T-1", "C", {L("SHOE", 1, 8000)}), kT0);
  EXPECT_EQ(r.decision.outcome, Outcome::kReturnExceedsPurchase);
  EXPECT_EQ(w.Customer("C").balance(), 0);
}

TEST(ReturnTest, AnUnknownOriginalIsRefusedWithItsOwnOutcome) {
  World w;
  w.Apply(testing::Purchase("T-1", "C", {L("SHOE", 1, 8000)}), kT0);
  DecideResult r = w.Apply(testing::Return("RT-1", "T-404", "C", {L("SHOE", 1, 8000)}), kT0);
  EXPECT_EQ(r.decision.outcome, Outcome::kUnknownOriginal);
  EXPECT_EQ(w.Customer("C").balance(), 80);
}

TEST(ReturnTest, AnotherCustomersPurchaseCannotBeReturned) {
  World w;
  w.Apply(testing::Purchase("T-1", "A", {L("SHOE", 1, 8000)}), kT0);
  w.Apply(testing::Purchase("T-2", "B", {L("HAT", 1, 1000)}), kT0);
  DecideResult r = w.Apply(testing::Return("RT-1", "T-1", "B", {L("SHOE", 1, 8000)}), kT0);
  EXPECT_EQ(r.decision.outcome, Outcome::kOriginalNotReturnable);
  EXPECT_EQ(w.Customer("A").balance(), 80);
}

TEST(ReturnTest, WithinBalanceTakesBackOnlyWhatIsLeft) {
  World w;
  w.Apply(testing::Purchase("T-1", "C", {L("TV", 1, 100000)}), kT0);  // 1000
  w.Apply(testing::Redeem("R-1", "C", 800, 500000), kT0);
  DecideResult r = w.Apply(testing::Return("RT-1", "T-1", "C", {L("TV", 1, 100000)}), kT0);
  EXPECT_EQ(r.decision.points_reversed, 200);
  EXPECT_EQ(w.Customer("C").balance(), 0);
  EXPECT_FALSE(r.decision.message.empty());
  EXPECT_TRUE(w.Consistent());
}

TEST(ReturnTest, AllowNegativeLeavesADebtThatTheNextPurchasePaysOff) {
  RuleSet rules;
  rules.program.return_policy = ReturnPolicy::kAllowNegative;
  World w(rules);
  w.Apply(testing::Purchase("T-1", "C", {L("TV", 1, 100000)}), kT0);
  w.Apply(testing::Redeem("R-1", "C", 800, 500000), kT0);
  w.Apply(testing::Return("RT-1", "T-1", "C", {L("TV", 1, 100000)}), kT0);
  EXPECT_EQ(w.Customer("C").balance(), -800);
  w.Apply(testing::Purchase("T-2", "C", {L("TV", 1, 100000)}), kT0);
  EXPECT_EQ(w.Customer("C").balance(), 200);
  EXPECT_EQ(w.Customer("C").debt_points, 0);
  EXPECT_TRUE(w.Consistent());
}

TEST(PurchaseTest, ABasketEarningAbovePointsPerEventMaxIsRefusedAndWritesNothing) {
  RuleSet rules;
  rules.program.limits.points_per_event_max = 100;
  EarnRule bonus;
  bonus.id = "big-bonus";
  bonus.bonus_points = 80;
  bonus.budget_points = 1000;
  rules.earn_rules.push_back(bonus);
  World w(rules);
  // 20 base points + 80 bonus = 100: at the maximum, applied.
  DecideResult ok = w.Apply(testing::Purchase("T-1", "C", {L("A", 1, 2000)}), kT0);
  EXPECT_EQ(ok.decision.outcome, Outcome::kApplied);
  EXPECT_EQ(ok.decision.points_earned, 100);
  // 21 + 80 = 101: refused before any budget is drawn; no customer, no record.
  DecideResult r = w.Apply(testing::Purchase("T-2", "D", {L("A", 1, 2100)}), kT0);
  EXPECT_EQ(r.decision.outcome, Outcome::kPointsPerEventOverMax);
  EXPECT_EQ(r.decision.message,
            "the basket would earn 101 points, above the maximum of 100 points per event "
            "(program.limits.points_per_event_max)");
  EXPECT_FALSE(r.effects.state);
  EXPECT_FALSE(r.effects.txn);
  EXPECT_TRUE(r.effects.ledger.empty());
  EXPECT_EQ(w.budgets().Used("big-bonus"), 80);
}

// Two customers merged: each lot keeps its dates, each ledger gets one half
// of the pair, the history adds up, and the merged record keeps nothing but
// its id, its ledger position and where it went.
TEST(MergeTest, LotsKeepTheirDatesAndTheLedgersStillSumToTheBalances) {
  World w;
  w.Apply(testing::Purchase("T-1", "A", {L("A", 1, 1000)}, kT0 - 40 * kDay), kT0 - 40 * kDay);
  w.Apply(testing::Purchase("T-2", "B", {L("A", 1, 2500)}, kT0 - 10 * kDay), kT0 - 10 * kDay);
  CustomerState a = w.Customer("A"), b = w.Customer("B");
  b.birthday = Date{1990, 5, 17};
  b.nps_comment = "lovely";
  const Event e = testing::Merge("M-1", "A", "B");
  const RuleSet rules;
  DecideResult r = Decide(DecideInput{e, &a, nullptr, nullptr, rules, kT0, nullptr, nullptr, &b});
  ASSERT_EQ(r.decision.outcome, Outcome::kApplied);
  ASSERT_TRUE(r.effects.state && r.effects.merged_state);
  const CustomerState& after = *r.effects.state;
  ASSERT_EQ(after.lots.size(), 2u);
  EXPECT_EQ(after.lots[0].points, 10);  // the older lot expires first
  EXPECT_EQ(after.lots[1].points, 25);
  EXPECT_EQ(after.lots[1].expires_at_ms, b.lots[0].expires_at_ms);
  EXPECT_EQ(after.balance(), 35);
  EXPECT_EQ(after.visits, 2);
  EXPECT_EQ(after.spend_minor, 3500);
  EXPECT_EQ(after.cards, (std::vector<std::string>{"A", "B"}));
  EXPECT_EQ(after.birthday, b.birthday);  // A had none
  ASSERT_EQ(r.effects.ledger.size(), 2u);
  EXPECT_EQ(r.effects.ledger[0].customer_id, "B");
  EXPECT_EQ(r.effects.ledger[0].points, -25);
  EXPECT_EQ(r.effects.ledger[0].seq, b.next_ledger_seq);
  EXPECT_EQ(r.effects.ledger[1].customer_id, "A");
  EXPECT_EQ(r.effects.ledger[1].points, 25);
  EXPECT_EQ(r.effects.ledger[1].kind, LedgerKind::kMerge);
  EXPECT_EQ(r.effects.ledger[1].operator_id, "ada");
  const CustomerState& gone = *r.effects.merged_state;
  EXPECT_EQ(gone.balance(), 0);
  EXPECT_EQ(gone.merged_into, "A");
  EXPECT_TRUE(gone.cards.empty());
  EXPECT_FALSE(gone.birthday.has_value());
  EXPECT_TRUE(gone.nps_comment.empty());
  EXPECT_EQ(gone.next_ledger_seq, b.next_ledger_seq + 1);
  EXPECT_EQ(r.effects.moved_cards, std::vector<std::string>{"B"});
}

}  // namespace
}  // namespace loyalty
