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

}  // namespace
}  // namespace loyalty
