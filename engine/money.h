// Money is an integer count of minor units (cents, pence) plus an ISO 4217
// currency code; never a float. Points are plain int64 integers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/status.h"

namespace loyalty {

struct Money {
  int64_t minor = 0;
  std::string currency;  // ISO 4217, three upper-case letters
  friend bool operator==(const Money&, const Money&) = default;
};

// Number of decimals of an active ISO 4217 currency (EUR 2, JPY 0, KWD 3), or
// nullopt when the code is not an active ISO 4217 code.
std::optional<int> CurrencyExponent(std::string_view code);

// 10^exponent for an exponent from CurrencyExponent.
int64_t MinorPerUnit(int exponent);

// "12.34" with exponent 2 -> 1234. At most `exponent` decimals; an optional
// leading '-'. Refuses floats in disguise ("1e3"), too many decimals and
// values beyond +-kBasketTotalMinorMax, naming what was wrong.
Result<int64_t> ParseDecimalMinor(std::string_view text, int exponent);

// 1234 with exponent 2 -> "12.34"; -5 -> "-0.05".
std::string FormatMinor(int64_t minor, int exponent);

}  // namespace loyalty
