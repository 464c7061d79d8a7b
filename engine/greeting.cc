#include "engine/greeting.h"

#include <algorithm>
#include <array>

#include "engine/calendar.h"

namespace loyalty {
namespace {

constexpr std::array<const char*, 12> kMonths = {"January",   "February", "March",    "April",
                                                 "May",       "June",     "July",     "August",
                                                 "September", "October",  "November", "December"};
constexpr std::array<const char*, 7> kWeekdays = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                                  "Friday", "Saturday", "Sunday"};

// Whole days between two times (never negative).
int64_t DaysBetween(TimeMs from_ms, TimeMs to_ms) {
  return to_ms > from_ms ? (to_ms - from_ms) / kMsPerDay : 0;
}

std::string Tenure(int64_t days) {
  if (days >= 365) {
    const int64_t years = days / 365;
    return std::to_string(years) + (years == 1 ? " year" : " years");
  }
  if (days >= 31) {
    const int64_t months = days / 30;
    return std::to_string(months) + (months == 1 ? " month" : " months");
  }
  if (days == 0) return "less than a day";
  return days == 1 ? "1 day" : std::to_string(days) + " days";
}

// The birthday's day in the local week (Monday to Sunday) of `today`, if it
// falls in it; the day number of that date otherwise -1.
int64_t BirthdayThisWeek(const Date& birthday, int64_t today) {
  const int64_t monday = today - WeekdayOf(today);
  for (int64_t d = monday; d < monday + 7; ++d) {
    const CivilDay c = CivilFromDays(d);
    if (c.month != birthday.month) continue;
    // Feb 29 birthdays are celebrated on Feb 28 in common years.
    const bool leap = (c.year % 4 == 0 && c.year % 100 != 0) || c.year % 400 == 0;
    const int day = birthday.month == 2 && birthday.day == 29 && !leap ? 28 : birthday.day;
    if (c.day == day) return d;
  }
  return -1;
}

}  // namespace

std::vector<std::string> GreetingHints(const CustomerState& s, const Signals& g,
                                       const RuleSet& rules, TimeMs now_ms) {
  std::vector<std::string> hints;
  const int32_t offset = rules.program.utc_offset_minutes;
  const int64_t today = LocalDayNumber(now_ms, offset);

  if (g.churn_risk_permille >= rules.churn.welcome_back_permille && g.days_since_purchase > 0) {
    hints.push_back("Welcome back: last visit " + std::to_string(g.days_since_purchase) +
                    (g.days_since_purchase == 1 ? " day ago" : " days ago"));
  }
  if (s.birthday) {
    if (const int64_t day = BirthdayThisWeek(*s.birthday, today); day >= 0) {
      const CivilDay c = CivilFromDays(day);
      hints.push_back(std::string(day == today ? "Birthday today: " : "Birthday this week: ") +
                      kWeekdays[WeekdayOf(day)] + " " + std::to_string(c.day) + " " +
                      kMonths[c.month - 1]);
    }
  }
  const Tier* tier = rules.FindTier(s.tier);
  const std::string tier_name = tier == nullptr || tier->name.empty() ? s.tier : tier->name;
  const CivilDay since = CivilFromDays(LocalDayNumber(s.tier_since_ms, offset));
  // A card enrolled by a backdated purchase (enrolment takes the server's
  // time, the purchase its event time) has been a member since that purchase.
  const int64_t tenure_days =
      s.first_purchase_ms > 0 && s.first_purchase_ms < s.enrolled_at_ms
          ? std::max(g.tenure_days, DaysBetween(s.first_purchase_ms, now_ms))
          : g.tenure_days;
  std::string status = tier_name + " since " + kMonths[since.month - 1] + " " +
                       std::to_string(since.year) + ", member for " + Tenure(tenure_days);
  if (tier != nullptr && tier->invitation_only) status += " (by invitation)";
  hints.push_back(status);
  if (g.lifecycle == Lifecycle::kAdvocate) {
    hints.push_back("Advocate: scored us " + std::to_string(s.nps_score) + "/10");
  } else if (g.lifecycle == Lifecycle::kProspect) {
    hints.push_back("First purchase: welcome them to the program");
  }
  // Never a category the program excludes (tobacco, gift cards): a cashier
  // should not suggest what the program will not reward.
  std::string loves;
  for (const std::string& category : g.top_categories) {
    const auto& excluded = rules.program.exclude_categories;
    if (std::find(excluded.begin(), excluded.end(), category) != excluded.end()) continue;
    loves += (loves.empty() ? "Loves " : ", ") + category;
  }
  if (!loves.empty()) hints.push_back(loves);
  if (hints.size() > 5) hints.resize(5);
  return hints;
}

}  // namespace loyalty
