#include "engine/validate.h"

#include <gtest/gtest.h>

#include "engine/limits.h"
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
            "points: -2000000000 points is beyond the maximum of 10000000 points per event "
            "(program.limits.points_per_event_max)");
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
  EXPECT_EQ(ErrorOf(p), "redeem_points: must be between 0 and 10000000, got -5");
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
  EXPECT_EQ(ErrorOf(f), "comment: is not valid UTF-8 (byte 4)");
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

// --- Sanity limits a host enforces -------------------------------------------

TEST(ValidateTest, RefusesALineTotalAboveQuantityTimesUnitPrice) {
  Event e = testing::Purchase("T-1", "C", {L("A", 1, 100), L("B", 2, 100)});
  e.lines[1].line_total_minor = 100000;  // 1000.00 for 2 x 1.00
  EXPECT_EQ(ErrorOf(e),
            "lines[1].line_total_minor: 1000.00 EUR is above quantity x unit_price_minor (2 x "
            "1.00 EUR = 2.00 EUR)");
  e.lines[1].line_total_minor = 150;  // discounted: fine
  EXPECT_EQ(ErrorOf(e), "(valid)");
}

TEST(ValidateTest, ALineWithoutAUnitPriceIsBoundedByTheBasketMaximumOnly) {
  Event e = testing::Purchase("T-1", "C", {L("A", 3, 0)});
  e.lines[0].line_total_minor = 4500;
  EXPECT_EQ(ErrorOf(e), "(valid)");
  e.lines[0].line_total_minor = limits::kBasketTotalMinorDefaultMax + 1;
  EXPECT_EQ(FieldOf(e), "lines");
}

TEST(ValidateTest, RefusesABasketAboveTheProgramMaximumSayingItInMoney) {
  RuleSet rules;
  rules.program.limits.basket_total_max_minor = 500000;  // 5000.00 EUR
  Event e = testing::Purchase("T-1", "C", {L("A", 3, 100000), L("B", 2, 100000)});
  EXPECT_FALSE(ValidateEvent(e, rules, kT0));  // exactly the maximum
  e.lines[1] = L("B", 2, 100001);
  auto err = ValidateEvent(e, rules, kT0);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->field, "lines");
  EXPECT_EQ(err->reason,
            "basket total 5000.02 EUR is above the maximum of 5000.00 EUR "
            "(program.limits.basket_total_max)");
}

TEST(ValidateTest, RefusesARedemptionBasketAboveTheProgramMaximum) {
  RuleSet rules;
  rules.program.limits.basket_total_max_minor = 500000;
  auto err = ValidateEvent(testing::Redeem("R-1", "C", 100, 500001), rules, kT0);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->field, "basket_total_minor");
  EXPECT_EQ(err->reason,
            "5000.01 EUR is above the maximum of 5000.00 EUR (program.limits.basket_total_max)");
}

TEST(ValidateTest, RefusesASaleDatedBeforeTheEventAgeLimit) {
  const std::string why =
      "event_time_ms: is more than 7 days before the server clock "
      "(program.limits.event_age_max_days); send older sales to the support desk";
  EXPECT_EQ(ErrorOf(testing::Purchase("T-1", "C", {L("A", 1, 100)}, 1)), why);  // 1970
  EXPECT_EQ(ErrorOf(testing::Purchase("T-1", "C", {L("A", 1, 100)}, kT0 - 8 * kMsPerDay)), why);
  EXPECT_EQ(ErrorOf(testing::Purchase("T-1", "C", {L("A", 1, 100)}, kT0 - 7 * kMsPerDay)),
            "(valid)");  // an offline till catching up on its week
  RuleSet rules;
  rules.program.limits.event_age_max_days = 30;
  EXPECT_FALSE(ValidateEvent(testing::Purchase("T-1", "C", {L("A", 1, 100)}, kT0 - 8 * kMsPerDay),
                             rules, kT0));
  EXPECT_EQ(ErrorOf(testing::Redeem("R-1", "C", 10, 100, 1)).substr(0, 14), "event_time_ms:");
}

TEST(ValidateTest, RefusesPointsAboveThePointsPerEventMaximum) {
  RuleSet rules;
  rules.program.limits.points_per_event_max = 1000;
  auto err = [&](const Event& e) {
    auto bad = ValidateEvent(e, rules, kT0);
    return bad ? bad->field + ": " + bad->reason : "(valid)";
  };
  EXPECT_EQ(err(testing::Redeem("R-1", "C", 1000, 100000)), "(valid)");
  EXPECT_EQ(err(testing::Redeem("R-1", "C", 1001, 100000)),
            "points: 1001 points is beyond the maximum of 1000 points per event "
            "(program.limits.points_per_event_max)");
  Event p = testing::Purchase("T-1", "C", {L("A", 1, 100000)});
  p.points = 5000;
  EXPECT_EQ(err(p).substr(0, 19), "redeem_points: 5000");
  EXPECT_EQ(err(Adjust(-1001, "correction", "agent7")).substr(0, 13), "points: -1001");
}

// Text is UTF-8 (category, brand, comment); ids are printable ASCII (card,
// transaction, store, register, sku, offer, reason, operator, tier, currency).
TEST(ValidateTest, NamesEveryStringFieldThatIsNotUtf8OrNotAnAsciiId) {
  Event e = testing::Purchase("T-1", "C", {L("A", 1, 100), L("B", 1, 100)});
  e.lines[1].category = "caf\xc3\xa9";  // café: fine
  e.lines[1].brand = "Mont-Blanc \xe2\x84\xa2";
  EXPECT_EQ(ErrorOf(e), "(valid)");
  e.lines[1].category = "caf\xe9";  // Latin-1
  EXPECT_EQ(ErrorOf(e), "lines[1].category: is not valid UTF-8 (byte 3)");
  e.lines[1].category = "toys";
  e.lines[1].brand = "\xc0\xafx";  // overlong '/'
  EXPECT_EQ(ErrorOf(e), "lines[1].brand: is not valid UTF-8 (byte 0)");
  e.lines[1].brand = "";
  e.lines[0].sku = "SKU-\xc3\xa9";
  EXPECT_EQ(ErrorOf(e), "lines[0].sku: must be printable ASCII without spaces");
  e.lines[0].sku = "A";
  e.currency = "E\xffR";
  EXPECT_EQ(ErrorOf(e), "currency: must be printable ASCII without spaces");
  e.currency = "EUR";
  e.store_id = "S\xff";
  EXPECT_EQ(ErrorOf(e), "store_id: must be printable ASCII without spaces");
  EXPECT_EQ(ErrorOf(Adjust(0, "vip", "agent7", "g\xffld")),
            "set_tier: must be printable ASCII without spaces");
}

TEST(ValidateTest, InvalidUtf8AtFollowsRfc3629) {
  EXPECT_EQ(InvalidUtf8At(""), std::nullopt);
  EXPECT_EQ(InvalidUtf8At("plain ascii"), std::nullopt);
  EXPECT_EQ(InvalidUtf8At("\xf0\x9f\x8e\x81 gift"), std::nullopt);  // U+1F381
  EXPECT_EQ(InvalidUtf8At("ab\x80"), 2u);                           // lone continuation
  EXPECT_EQ(InvalidUtf8At("a\xc3"), 1u);                            // cut short
  EXPECT_EQ(InvalidUtf8At("\xe0\x80\xaf"), 0u);                     // overlong
  EXPECT_EQ(InvalidUtf8At("x\xed\xa0\x80"), 1u);                    // a UTF-16 surrogate
  EXPECT_EQ(InvalidUtf8At("\xf4\x90\x80\x80"), 0u);                 // above U+10FFFF
  EXPECT_EQ(InvalidUtf8At("\xff"), 0u);
}

}  // namespace
}  // namespace loyalty
