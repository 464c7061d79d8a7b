// Number formats shared by the reports and the rule simulation: thousands
// grouped ("8,911,407.34 GBP"), so a marketer reads amounts at a glance.
#pragma once

#include <cstdint>
#include <string>

namespace loyalty::report {

// 1234567 -> "1,234,567"; -1234 -> "-1,234".
std::string Grouped(int64_t n);

// How amounts are shown: minor units of `currency` (ISO 4217); "" shows
// them with two decimals and no code.
struct Money {
  std::string currency;
  std::string Format(int64_t minor) const;      // "8,911,407.34 GBP"
  std::string FormatBare(int64_t minor) const;  // "8,911,407.34"
};

}  // namespace loyalty::report
