// The birthday week: one definition for the earn rules (`when: { birthday:
// week }`, a tier's birthday gift) and the cashier's greeting, so a customer
// who gets the birthday bonus is also wished a happy birthday, and the other
// way round.
//
// The birthday week is the seven days centred on the birthday: three days
// before it, the day itself and three days after, counted in the program's
// time zone (program.utc_offset). It is the same for every customer whatever
// weekday the birthday falls on (a calendar week would give a Monday birthday
// no days before it and a Sunday birthday none after), and it does not depend
// on which day a country starts its week. Near New Year it reaches into the
// next or previous year (a 30 December birthday is celebrated from 27
// December to 2 January). A 29 February birthday is kept on 28 February in
// common years.
#pragma once

#include <cstdint>
#include <optional>

#include "engine/event.h"

namespace loyalty {

// Days either side of the birthday that belong to its week.
inline constexpr int64_t kBirthdayWeekReachDays = 3;

// The local day number (days since 1970-01-01) of the birthday celebrated
// within `reach_days` of local day `today`, if there is one. `birthday.year`
// is ignored (0 when unknown).
std::optional<int64_t> BirthdayNear(const Date& birthday, int64_t today, int64_t reach_days);

// BirthdayNear with the week's reach: the birthday whose week `today` is in.
inline std::optional<int64_t> BirthdayWeekOf(const Date& birthday, int64_t today) {
  return BirthdayNear(birthday, today, kBirthdayWeekReachDays);
}

}  // namespace loyalty
