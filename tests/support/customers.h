// Customer states built by hand for report tests: numbers a reader can
// check on paper, without running a single decision.
#pragma once

#include <string>

#include "engine/calendar.h"
#include "engine/customer_state.h"

namespace loyalty::testing {

inline constexpr TimeMs kReportNowMs = 1'767'225'600'000;  // 2026-01-01

// Enrolled two years before now; `visits` purchases worth `spend_minor`
// (net), the last `days_ago` days before now, all counted in now's month.
inline CustomerState Customer(const std::string& id, int64_t visits, int64_t spend_minor,
                              int64_t days_ago = 1) {
  CustomerState s;
  s.customer_id = id;
  s.cards = {id};
  s.enrolled_at_ms = kReportNowMs - 730 * kMsPerDay;
  s.version = 1;
  if (visits == 0) return s;
  s.visits = visits;
  s.spend_minor = spend_minor;
  s.gross_spend_minor = spend_minor;
  s.first_purchase_ms = kReportNowMs - 400 * kMsPerDay;
  s.last_purchase_ms = kReportNowMs - days_ago * kMsPerDay;
  s.months = {{MonthIndexOf(kReportNowMs), spend_minor, static_cast<int32_t>(visits)}};
  return s;
}

}  // namespace loyalty::testing
