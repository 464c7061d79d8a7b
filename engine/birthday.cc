#include "engine/birthday.h"

#include "engine/calendar.h"

namespace loyalty {

std::optional<int64_t> BirthdayNear(const Date& birthday, int64_t today, int64_t reach_days) {
  const int year = CivilFromDays(today).year;
  // This year's birthday, or last year's or next year's near New Year.
  for (int y = year - 1; y <= year + 1; ++y) {
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    const int day = birthday.month == 2 && birthday.day == 29 && !leap ? 28 : birthday.day;
    const int64_t b = DaysFromCivil(y, birthday.month, day);
    if (today >= b - reach_days && today <= b + reach_days) return b;
  }
  return std::nullopt;
}

}  // namespace loyalty
