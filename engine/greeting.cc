#include "engine/greeting.h"

#include <algorithm>
#include <array>
#include <optional>

#include "engine/birthday.h"
#include "engine/calendar.h"

namespace loyalty {
namespace {

constexpr std::array<const char*, 12> kMonths = {"January",   "February", "March",    "April",
                                                 "May",       "June",     "July",     "August",
                                                 "September", "October",  "November", "December"};
constexpr std::array<const char*, 7> kWeekdays = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                                  "Friday", "Saturday", "Sunday"};

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

// "Birthday today: Thursday 26 November", "Birthday in 2 days: ...",
// "Birthday yesterday: ..." when `today` is in the birthday week (birthday.h),
// the very week a birthday earn rule or gift pays.
std::optional<std::string> BirthdayHint(const Date& birthday, int64_t today) {
  const std::optional<int64_t> day = BirthdayWeekOf(birthday, today);
  if (!day) return std::nullopt;
  const int64_t ahead = *day - today;
  std::string when = ahead == 0    ? "today"
                     : ahead == 1  ? "tomorrow"
                     : ahead == -1 ? "yesterday"
                     : ahead > 0   ? "in " + std::to_string(ahead) + " days"
                                   : std::to_string(-ahead) + " days ago";
  const CivilDay c = CivilFromDays(*day);
  return "Birthday " + when + ": " + kWeekdays[WeekdayOf(*day)] + " " + std::to_string(c.day) +
         " " + kMonths[c.month - 1];
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
    if (auto hint = BirthdayHint(*s.birthday, today)) hints.push_back(std::move(*hint));
  }
  const Tier* tier = rules.FindTier(s.tier);
  const std::string tier_name = tier == nullptr || tier->name.empty() ? s.tier : tier->name;
  const CivilDay since = CivilFromDays(LocalDayNumber(s.tier_since_ms, offset));
  std::string status = tier_name + " since " + kMonths[since.month - 1] + " " +
                       std::to_string(since.year) + ", member for " + Tenure(g.tenure_days);
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
