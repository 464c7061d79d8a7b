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

// Times as a person reads them, in the program's clock (`utc_offset_minutes`
// east of UTC, rules `program.utc_offset`).
std::string IsoDate(int64_t ms, int32_t utc_offset_minutes);      // "2026-03-01"
std::string IsoDateTime(int64_t ms, int32_t utc_offset_minutes);  // "2026-03-01T14:05:00+01:00"
// "2026-03-01", or "2026-03-01 14:05" when not the local midnight.
std::string DayOrTime(int64_t ms, int32_t utc_offset_minutes);

// "1 visit", "2 visits": `n` and the word, plural unless n is 1.
std::string Counted(int64_t n, const std::string& one, const std::string& many);

}  // namespace loyalty::report
