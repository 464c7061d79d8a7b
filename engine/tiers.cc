#include "engine/tiers.h"

#include <algorithm>

#include "engine/calendar.h"

namespace loyalty {
namespace {

MonthStat& MonthOf(CustomerState& s, int32_t month) {
  auto it = std::lower_bound(s.months.begin(), s.months.end(), month,
                             [](const MonthStat& m, int32_t v) { return m.month < v; });
  if (it == s.months.end() || it->month != month) it = s.months.insert(it, MonthStat{month, 0, 0});
  return *it;
}

void Trim(CustomerState& s) {
  if (s.months.size() > kMonthsKept) {
    s.months.erase(s.months.begin(), s.months.end() - kMonthsKept);
  }
}

std::size_t RankOf(const RuleSet& r, const std::string& id) {
  for (std::size_t i = 0; i < r.tiers.size(); ++i) {
    if (r.tiers[i].id == id) return i;
  }
  return r.tiers.size();
}

bool Qualifies(const Tier& t, const Window12& w) {
  if (t.invitation_only) return false;
  return w.spend_minor >= t.spend_12m_minor && w.visits >= t.visits_12m;
}

void Enter(CustomerState& s, const RuleSet& r, std::size_t rank, TimeMs now_ms) {
  const Tier& t = r.tiers[rank];
  s.tier = t.id;
  s.tier_since_ms = now_ms;
  s.tier_review_at_ms =
      (rank == 0 || t.invitation_only) ? 0 : AddMonths(now_ms, r.tier_policy.review_months);
}

}  // namespace

void CountPurchase(CustomerState& s, TimeMs event_time_ms, int64_t minor) {
  MonthStat& m = MonthOf(s, MonthIndexOf(event_time_ms));
  m.spend_minor += minor;
  m.visits += 1;
  Trim(s);
}

void CountReturn(CustomerState& s, TimeMs original_time_ms, int64_t minor) {
  const int32_t month = MonthIndexOf(original_time_ms);
  if (!s.months.empty() && month < s.months.front().month && s.months.size() == kMonthsKept) {
    return;  // older than what is kept: it no longer counts anywhere
  }
  MonthOf(s, month).spend_minor -= minor;
  Trim(s);
}

Window12 Last12Months(const CustomerState& s, TimeMs now_ms) {
  const int32_t now = MonthIndexOf(now_ms);
  Window12 w;
  for (const MonthStat& m : s.months) {
    if (m.month > now - 12 && m.month <= now) {
      w.spend_minor += m.spend_minor;
      w.visits += m.visits;
    }
  }
  return w;
}

bool ReviewTier(CustomerState& s, const RuleSet& r, TimeMs now_ms) {
  const std::string before = s.tier;
  std::size_t current = RankOf(r, s.tier);
  if (current == r.tiers.size()) {  // renamed or removed: start over from the base
    Enter(s, r, 0, now_ms);
    current = 0;
  }
  if (r.tiers[current].invitation_only) return s.tier != before;
  const Window12 w = Last12Months(s, now_ms);
  std::size_t earned = 0;
  for (std::size_t i = 0; i < r.tiers.size(); ++i) {
    if (i == 0 || Qualifies(r.tiers[i], w)) earned = std::max(earned, i);
  }
  if (earned > current) {
    Enter(s, r, earned, now_ms);
  } else if (current != 0 && s.tier_review_at_ms != 0 && now_ms >= s.tier_review_at_ms) {
    if (earned == current) {
      s.tier_review_at_ms = AddMonths(now_ms, r.tier_policy.review_months);  // confirmed
    } else if (now_ms >= s.tier_review_at_ms + int64_t{r.tier_policy.grace_days} * kMsPerDay) {
      Enter(s, r, earned, now_ms);
    }
  }
  return s.tier != before;
}

void SetTier(CustomerState& s, const RuleSet& r, const std::string& tier_id, TimeMs now_ms) {
  const std::size_t rank = RankOf(r, tier_id);
  LOYALTY_CHECK(rank < r.tiers.size());
  Enter(s, r, rank, now_ms);
}

}  // namespace loyalty
