#include "engine/validate.h"

#include <gtest/gtest.h>

#include "tests/support/events.h"

namespace loyalty {
namespace {

using testing::kT0;
using testing::L;

std::string FieldOf(const Event& e) {
  auto err = ValidateEvent(e, RuleSet{}, kT0);
  return err ? err->field : "(valid)";
}

TEST(ValidateTest, AcceptsAWellFormedPurchase) {
  EXPECT_EQ(FieldOf(testing::Purchase("T-1", "C", {L("A", 1, 100)})), "(valid)");
}

TEST(ValidateTest, NamesTheMissingTransactionId) {
  auto err = ValidateEvent(testing::Purchase("", "C", {L("A", 1, 100)}), RuleSet{}, kT0);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->field, "transaction_id");
  EXPECT_EQ(err->reason, "is required");
}

TEST(ValidateTest, RefusesNegativeAndAbsurdAmountsNamingTheLine) {
  Event neg = testing::Purchase("T-1", "C", {L("A", 1, 100), L("B", 1, 100)});
  neg.lines[1].line_total_minor = -5;
  EXPECT_EQ(FieldOf(neg), "lines[1].line_total_minor");
  Event huge = testing::Purchase("T-1", "C", {L("A", 1, 2'000'000'000)});
  EXPECT_EQ(FieldOf(huge), "lines[0].unit_price_minor");
  Event zero_qty = testing::Purchase("T-1", "C", {L("A", 0, 100)});
  EXPECT_EQ(FieldOf(zero_qty), "lines[0].quantity");
}

TEST(ValidateTest, RefusesUnknownAndForeignCurrencies) {
  Event e = testing::Purchase("T-1", "C", {L("A", 1, 100)});
  e.currency = "XYZ";
  auto err = ValidateEvent(e, RuleSet{}, kT0);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->field, "currency");
  EXPECT_NE(err->reason.find("not an ISO 4217"), std::string::npos);
  e.currency = "USD";
  err = ValidateEvent(e, RuleSet{}, kT0);
  ASSERT_TRUE(err);
  EXPECT_NE(err->reason.find("runs in EUR"), std::string::npos);
}

TEST(ValidateTest, RefusesEmptyBasketsAndTooManyLines) {
  EXPECT_EQ(FieldOf(testing::Purchase("T-1", "C", {})), "lines");
  std::vector<Line> many(1001, L("A", 1, 1));
  EXPECT_EQ(FieldOf(testing::Purchase("T-1", "C", many)), "lines");
}

TEST(ValidateTest, RefusesIdsWithSpacesOrBeyondTheLimit) {
  EXPECT_EQ(FieldOf(testing::Purchase("T 1", "C", {L("A", 1, 1)})), "transaction_id");
  EXPECT_EQ(FieldOf(testing::Purchase("T-1", std::string(65, 'c'), {L("A", 1, 1)})), "card");
}

TEST(ValidateTest, RefusesARegisterClockFarInTheFuture) {
  EXPECT_EQ(FieldOf(testing::Purchase("T-1", "C", {L("A", 1, 1)}, kT0 + 10 * 60 * 1000)),
            "event_time_ms");
}

TEST(ValidateTest, AReturnMustNameAnotherTransaction) {
  EXPECT_EQ(FieldOf(testing::Return("RT-1", "", "C", {L("A", 1, 1)})), "original_transaction_id");
  EXPECT_EQ(FieldOf(testing::Return("RT-1", "RT-1", "C", {L("A", 1, 1)})),
            "original_transaction_id");
}

TEST(ValidateTest, ARedemptionNeedsPositivePointsAndBasket) {
  EXPECT_EQ(FieldOf(testing::Redeem("R-1", "C", 0, 100)), "points");
  EXPECT_EQ(FieldOf(testing::Redeem("R-1", "C", 10, -1)), "basket_total_minor");
}

TEST(ValidateTest, BirthdaysMustBeCalendarDates) {
  EXPECT_TRUE(IsValidDate({2000, 2, 29}));
  EXPECT_FALSE(IsValidDate({2001, 2, 29}));
  EXPECT_TRUE(IsValidDate({0, 2, 29}));  // year unknown
  EXPECT_FALSE(IsValidDate({1990, 13, 1}));
  EXPECT_FALSE(IsValidDate({1990, 4, 31}));
}

// Bad events of the rulebook's kinds, with the exact error a register (or
// the admin desk) gets back.
std::string ErrorOf(const Event& e) {
  auto err = ValidateEvent(e, RuleSet{}, kT0);
  return err ? err->field + ": " + err->reason : "(valid)";
}

Event Adjust(int64_t points, std::string reason, std::string op, std::string tier = "") {
  Event e;
  e.kind = EventKind::kAdjust;
  e.transaction_id = "A-1";
  e.card = "C";
  e.event_time_ms = kT0;
  e.points = points;
  e.reason = std::move(reason);
  e.operator_id = std::move(op);
  e.set_tier = std::move(tier);
  return e;
}

TEST(ValidateTest, AdjustmentsNeedAReasonAnOperatorAndAKnownTier) {
  EXPECT_EQ(ErrorOf(Adjust(10, "goodwill", "agent7")), "(valid)");
  EXPECT_EQ(ErrorOf(Adjust(10, "", "agent7")), "reason: is required");
  EXPECT_EQ(ErrorOf(Adjust(10, "goodwill", "")), "operator_id: is required");
  EXPECT_EQ(ErrorOf(Adjust(0, "goodwill", "agent7")),
            "points: an adjustment changes points (non-zero) or sets a tier");
  EXPECT_EQ(ErrorOf(Adjust(0, "vip", "agent7", "platinum")),
            "set_tier: 'platinum' is not a tier of rules version 1");
  EXPECT_EQ(ErrorOf(Adjust(-2'000'000'000, "x", "agent7")),
            "points: must be between -1000000000 and 1000000000, got -2000000000");
}

TEST(ValidateTest, CancellationsAndPointsOnAPurchase) {
  Event c;
  c.kind = EventKind::kCancelRedeem;
  c.transaction_id = "X-1";
  c.card = "C";
  c.store_id = "S1";
  c.event_time_ms = kT0;
  EXPECT_EQ(ErrorOf(c), "original_transaction_id: is required");
  c.original_transaction_id = "X-1";
  EXPECT_EQ(ErrorOf(c), "original_transaction_id: must differ from the cancellation's own id");
  Event p = testing::Purchase("T-1", "C", {L("A", 1, 100)});
  p.points = -5;
  EXPECT_EQ(ErrorOf(p), "redeem_points: must be between 0 and 1000000000, got -5");
}

TEST(ValidateTest, FeedbackNeedsAScoreFrom0To10AndReadableText) {
  Event f;
  f.kind = EventKind::kFeedback;
  f.transaction_id = "F-1";
  f.card = "C";
  f.store_id = "S1";
  f.event_time_ms = kT0;
  EXPECT_EQ(ErrorOf(f), "score: must be between 0 and 10, got -1");
  f.score = 11;
  EXPECT_EQ(ErrorOf(f), "score: must be between 0 and 10, got 11");
  f.score = 10;
  f.comment = "Très bien, merci\n";
  EXPECT_EQ(ErrorOf(f), "(valid)");
  f.comment = "bad \xff byte";
  EXPECT_EQ(ErrorOf(f), "comment: is not valid UTF-8");
  f.comment = "tab\there";
  EXPECT_EQ(ErrorOf(f), "comment: has a control character at byte 3");
  f.comment = std::string(1001, 'x');
  EXPECT_EQ(ErrorOf(f), "comment: is 1001 bytes; at most 1000 allowed");
}

TEST(ValidateTest, ALineRedeemsAKnownOfferOncePerBasketOnPurchasesOnly) {
  RuleSet rules;
  rules.offers.push_back(Offer{.id = "we-miss-you", .reward_value = 100});
  Event p = testing::Purchase("T-1", "C", {L("A", 1, 100), L("B", 1, 100)});
  p.lines[1].offer_id = "we-miss-you";
  auto err = [&](const Event& e) {
    auto bad = ValidateEvent(e, rules, kT0);
    return bad ? bad->field + ": " + bad->reason : "(valid)";
  };
  EXPECT_EQ(err(p), "(valid)");
  p.lines[0].offer_id = "we-miss-you";
  EXPECT_EQ(err(p),
            "lines[1].offer_id: offer 'we-miss-you' is already redeemed by lines[0]; one line per "
            "offer");
  p.lines[0].offer_id = "spring";
  EXPECT_EQ(err(p), "lines[0].offer_id: 'spring' is not an offer of rules version 1");
  Event r = testing::Return("R-1", "T-1", "C", {L("A", 1, 100)});
  r.lines[0].offer_id = "we-miss-you";
  EXPECT_EQ(err(r), "lines[0].offer_id: offers are redeemed by purchases, not returns");
}

}  // namespace
}  // namespace loyalty
