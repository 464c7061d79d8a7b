#include "engine/money.h"

#include <gtest/gtest.h>

namespace loyalty {
namespace {

TEST(CurrencyTest, KnowsExponentsOfActiveCodes) {
  EXPECT_EQ(CurrencyExponent("EUR"), 2);
  EXPECT_EQ(CurrencyExponent("JPY"), 0);
  EXPECT_EQ(CurrencyExponent("KWD"), 3);
  EXPECT_EQ(CurrencyExponent("GBP"), 2);
}

TEST(CurrencyTest, RefusesUnknownAndLowerCaseCodes) {
  EXPECT_FALSE(CurrencyExponent("XYZ"));
  EXPECT_FALSE(CurrencyExponent("eur"));
  EXPECT_FALSE(CurrencyExponent(""));
}

TEST(ParseDecimalMinorTest, ReadsDecimalsIntoMinorUnits) {
  EXPECT_EQ(*ParseDecimalMinor("12.34", 2), 1234);
  EXPECT_EQ(*ParseDecimalMinor("12.3", 2), 1230);
  EXPECT_EQ(*ParseDecimalMinor("12", 2), 1200);
  EXPECT_EQ(*ParseDecimalMinor("0.05", 2), 5);
  EXPECT_EQ(*ParseDecimalMinor("-1.5", 2), -150);
  EXPECT_EQ(*ParseDecimalMinor("500", 0), 500);
}

TEST(ParseDecimalMinorTest, RefusesWhatIsNotAPlainDecimal) {
  EXPECT_FALSE(ParseDecimalMinor("1.234", 2).ok());
  EXPECT_FALSE(ParseDecimalMinor("1e3", 2).ok());
  EXPECT_FALSE(ParseDecimalMinor("1.2.3", 2).ok());
  EXPECT_FALSE(ParseDecimalMinor("", 2).ok());
  EXPECT_FALSE(ParseDecimalMinor(".", 2).ok());
  EXPECT_FALSE(ParseDecimalMinor("99999999999999999999", 2).ok());
}

TEST(FormatMinorTest, WritesMinorUnitsAsDecimals) {
  EXPECT_EQ(FormatMinor(1234, 2), "12.34");
  EXPECT_EQ(FormatMinor(-5, 2), "-0.05");
  EXPECT_EQ(FormatMinor(7, 0), "7");
  EXPECT_EQ(FormatMinor(1001, 3), "1.001");
}

}  // namespace
}  // namespace loyalty
