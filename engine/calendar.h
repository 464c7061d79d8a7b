// Civil-calendar arithmetic on UTC milliseconds (proleptic Gregorian), for
// local days, weekdays, months and birthdays. Howard Hinnant's algorithms.
#pragma once

#include <cstdint>

#include "engine/event.h"

namespace loyalty {

struct CivilDay {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
};

// Days since 1970-01-01 of a civil date, and back.
constexpr int64_t DaysFromCivil(int y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

constexpr CivilDay CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  const int y = static_cast<int>(yoe + era * 400 + (m <= 2));
  return CivilDay{y, m, d};
}

constexpr int64_t FloorDiv(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

// Days since the epoch of the day `ms` falls on, `offset_minutes` east of UTC.
constexpr int64_t LocalDayNumber(TimeMs ms, int32_t offset_minutes) {
  return FloorDiv(ms + int64_t{offset_minutes} * 60'000, kMsPerDay);
}

// 0 = Monday ... 6 = Sunday (1970-01-01 was a Thursday).
constexpr int WeekdayOf(int64_t day_number) {
  return static_cast<int>(((day_number % 7) + 7 + 3) % 7);
}

// Minutes since local midnight.
constexpr int32_t LocalMinuteOfDay(TimeMs ms, int32_t offset_minutes) {
  const int64_t local = ms + int64_t{offset_minutes} * 60'000;
  return static_cast<int32_t>((local - FloorDiv(local, kMsPerDay) * kMsPerDay) / 60'000);
}

// year * 12 + (month - 1) of a UTC time: the key of MonthStat.
constexpr int32_t MonthIndexOf(TimeMs ms) {
  const CivilDay c = CivilFromDays(FloorDiv(ms, kMsPerDay));
  return c.year * 12 + (c.month - 1);
}

// The UTC midnight starting month index `month` (year * 12 + month - 1).
constexpr TimeMs StartOfMonthIndex(int32_t month) {
  return DaysFromCivil(month / 12, month % 12 + 1, 1) * kMsPerDay;
}

// `ms` plus `months` calendar months, the day clamped to the month's end.
constexpr TimeMs AddMonths(TimeMs ms, int32_t months) {
  const int64_t day = FloorDiv(ms, kMsPerDay);
  const TimeMs in_day = ms - day * kMsPerDay;
  const CivilDay c = CivilFromDays(day);
  const int32_t idx = c.year * 12 + (c.month - 1) + months;
  const int y = idx / 12, m = idx % 12 + 1;
  const int last = static_cast<int>(DaysFromCivil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) -
                                    DaysFromCivil(y, m, 1));
  return DaysFromCivil(y, m, c.day < last ? c.day : last) * kMsPerDay + in_day;
}

static_assert(DaysFromCivil(1970, 1, 1) == 0);
static_assert(CivilFromDays(DaysFromCivil(2024, 2, 29)).day == 29);
static_assert(WeekdayOf(DaysFromCivil(2026, 11, 23)) == 0);  // a Monday

}  // namespace loyalty
