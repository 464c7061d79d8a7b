#include "engine/earn.h"

#include <algorithm>
#include <numeric>

#include "engine/calendar.h"
#include "engine/money.h"

namespace loyalty {
namespace {

__extension__ using Int128 = __int128;

int64_t DivideRounded128(Int128 numerator, Int128 denominator, Rounding rounding) {
  LOYALTY_CHECK(numerator >= 0 && denominator > 0);
  const Int128 q = numerator / denominator;
  const Int128 r = numerator % denominator;
  Int128 v = q;
  if (rounding == Rounding::kCeil && r > 0) v += 1;
  if (rounding == Rounding::kNearest && 2 * r >= denominator) v += 1;
  return static_cast<int64_t>(v);
}

bool Contains(const std::vector<std::string>& list, const std::string& v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

// When and where the sale happens, in the chain's local time.
struct Moment {
  int64_t day = 0;  // local day number
  int weekday = 0;  // 0 = Monday
  int32_t minute = 0;
  CivilDay date;
};

Moment MomentOf(TimeMs ms, int32_t offset_minutes) {
  Moment m;
  m.day = LocalDayNumber(ms, offset_minutes);
  m.weekday = WeekdayOf(m.day);
  m.minute = LocalMinuteOfDay(ms, offset_minutes);
  m.date = CivilFromDays(m.day);
  return m;
}

bool BirthdayMatches(BirthdayWindow window, const std::optional<Date>& birthday, const Moment& at) {
  if (window == BirthdayWindow::kNone || !birthday) return false;
  if (window == BirthdayWindow::kMonth) return birthday->month == at.date.month;
  // Day or week: the birthday of the sale's year (or the next or previous,
  // near New Year), Feb 29 kept on Feb 28 in common years.
  const int64_t reach = window == BirthdayWindow::kDay ? 0 : 3;
  for (int y = at.date.year - 1; y <= at.date.year + 1; ++y) {
    int d = birthday->day;
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (birthday->month == 2 && d == 29 && !leap) d = 28;
    const int64_t b = DaysFromCivil(y, birthday->month, d);
    if (at.day >= b - reach && at.day <= b + reach) return true;
  }
  return false;
}

const RuleUse* FindUse(const CustomerState& s, const std::string& id) {
  for (const RuleUse& u : s.rule_uses) {
    if (u.rule_id == id) return &u;
  }
  return nullptr;
}

bool CapsAllow(const EarnRule& rule, const CustomerState& s, const Moment& at) {
  const RuleUse* u = FindUse(s, rule.id);
  if (u == nullptr) return true;
  if (rule.cap_per_customer > 0 && u->total >= rule.cap_per_customer) return false;
  if (rule.cap_per_day > 0 && u->day_ms == at.day * kMsPerDay && u->day_count >= rule.cap_per_day)
    return false;
  if (rule.cap_per_year > 0 && u->year == at.date.year && u->year_count >= rule.cap_per_year)
    return false;
  return true;
}

bool HasCaps(const EarnRule& r) {
  return r.cap_per_day > 0 || r.cap_per_year > 0 || r.cap_per_customer > 0;
}

// The conditions that concern the sale as a whole.
bool InAnySegment(const std::vector<std::string>& wanted, const std::vector<std::string>* have) {
  if (have == nullptr) return false;
  for (const std::string& w : wanted) {
    if (Contains(*have, w)) return true;
  }
  return false;
}

bool SaleMatches(const EarnRule& rule, const Event& e, const CustomerState& s,
                 const std::vector<std::string>* segments, const Moment& at,
                 int64_t eligible_minor) {
  if (!rule.stores.empty() && !Contains(rule.stores, e.store_id)) return false;
  if (!rule.tiers.empty() && !Contains(rule.tiers, s.tier)) return false;
  if (!rule.segments.empty() && !InAnySegment(rule.segments, segments)) return false;
  if (rule.from_ms != 0 && e.event_time_ms < rule.from_ms) return false;
  if (rule.to_ms != 0 && e.event_time_ms >= rule.to_ms) return false;
  if ((rule.days_mask & (1u << at.weekday)) == 0) return false;
  if (at.minute < rule.minute_from || at.minute >= rule.minute_to) return false;
  if (eligible_minor < rule.basket_total_min_minor) return false;
  if (rule.visit_every > 0 && (s.visits + 1) % rule.visit_every != 0) return false;
  if (rule.birthday != BirthdayWindow::kNone && !BirthdayMatches(rule.birthday, s.birthday, at))
    return false;
  return true;
}

bool LineMatches(const EarnRule& rule, const Line& l) {
  if (!rule.categories.empty() && !Contains(rule.categories, l.category)) return false;
  if (!rule.skus.empty() && !Contains(rule.skus, l.sku)) return false;
  if (!rule.brands.empty() && !Contains(rule.brands, l.brand)) return false;
  return true;
}

// Weights for spreading a bonus: the selected lines' totals, or (all zero)
// one each.
std::vector<int64_t> SpreadWeights(const std::vector<Line>& lines, const std::vector<bool>& sel) {
  std::vector<int64_t> w(lines.size(), 0);
  int64_t sum = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (sel[i]) sum += w[i] = lines[i].line_total_minor;
  }
  if (sum == 0) {
    for (std::size_t i = 0; i < lines.size(); ++i) w[i] = sel[i] ? 1 : 0;
  }
  return w;
}

class Tally {
 public:
  explicit Tally(Earning& out) : out_(out) {}
  void Add(const std::string& rule_id, const std::vector<int64_t>& parts) {
    int64_t sum = 0;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      out_.line_points[i] += parts[i];
      sum += parts[i];
    }
    if (sum == 0) return;
    out_.total += sum;
    out_.awards.push_back({rule_id, sum});
  }

 private:
  Earning& out_;
};

}  // namespace

bool IsEligible(const Line& line, const ProgramRules& program) {
  return !Contains(program.exclude_categories, line.category) &&
         !Contains(program.exclude_skus, line.sku);
}

int64_t DivideRounded(int64_t numerator, int64_t denominator, Rounding rounding) {
  return DivideRounded128(numerator, denominator, rounding);
}

int64_t MulDivFloor(int64_t a, int64_t b, int64_t c) {
  return DivideRounded128(static_cast<Int128>(a) * b, c, Rounding::kFloor);
}

std::vector<int64_t> Distribute(int64_t total, const std::vector<int64_t>& weights) {
  std::vector<int64_t> out(weights.size(), 0);
  if (total == 0 || weights.empty()) return out;
  Int128 sum = 0;
  for (int64_t w : weights) sum += w;
  if (sum == 0) {
    out[0] = total;
    return out;
  }
  std::vector<Int128> remainder(weights.size(), 0);
  int64_t given = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const Int128 exact = static_cast<Int128>(total) * weights[i];
    out[i] = static_cast<int64_t>(exact / sum);
    remainder[i] = exact % sum;
    given += out[i];
  }
  std::vector<std::size_t> order(weights.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return remainder[a] > remainder[b]; });
  for (std::size_t k = 0; given < total; ++k, ++given) out[order[k % order.size()]] += 1;
  return out;
}

Earning EarnBase(const std::vector<Line>& lines, const RuleSet& rules, int exponent) {
  const int64_t rate = rules.program.points_per_unit_milli;
  const int64_t denominator = 1000 * MinorPerUnit(exponent);
  Earning out;
  out.line_points.assign(lines.size(), 0);

  int64_t eligible_minor = 0;
  for (const Line& l : lines) {
    if (IsEligible(l, rules.program)) eligible_minor += l.line_total_minor;
  }
  out.total = DivideRounded(eligible_minor * rate, denominator, rules.program.rounding);
  if (out.total == 0) return out;

  // Largest remainder: floor each line's exact share, then hand the points
  // left over to the lines with the largest remainders (earlier line on ties).
  std::vector<int64_t> remainder(lines.size(), 0);
  int64_t floored = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (!IsEligible(lines[i], rules.program)) continue;
    const int64_t exact = lines[i].line_total_minor * rate;
    out.line_points[i] = exact / denominator;
    remainder[i] = exact % denominator;
    floored += out.line_points[i];
  }
  std::vector<std::size_t> order(lines.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return remainder[a] > remainder[b]; });
  int64_t left = out.total - floored;
  LOYALTY_CHECK(left >= 0 && left <= static_cast<int64_t>(lines.size()));
  for (std::size_t k = 0; left > 0; ++k, --left) out.line_points[order[k]] += 1;

  out.awards.push_back({"base", out.total});
  return out;
}

Earning Earn(const EarnInput& in) {
  const Event& e = in.event;
  const RuleSet& r = in.rules;
  const ProgramRules& p = r.program;
  const int exponent = *CurrencyExponent(p.currency);
  const std::size_t n = e.lines.size();
  Earning out = EarnBase(e.lines, r, exponent);
  const std::vector<int64_t> base_lines = out.line_points;
  const int64_t base_total = out.total;
  Tally tally(out);

  std::vector<bool> eligible(n);
  int64_t eligible_minor = 0;
  for (std::size_t i = 0; i < n; ++i) {
    eligible[i] = IsEligible(e.lines[i], p);
    if (eligible[i]) eligible_minor += e.lines[i].line_total_minor;
  }

  const Tier* tier = r.FindTier(in.state.tier);
  if (tier != nullptr && tier->earn_multiplier_milli != 1000 && base_total > 0) {
    const int64_t extra = DivideRounded128(
        static_cast<Int128>(base_total) * (tier->earn_multiplier_milli - 1000), 1000, p.rounding);
    tally.Add("tier:" + tier->id, Distribute(extra, base_lines));
  }

  const Moment at = MomentOf(e.event_time_ms, p.utc_offset_minutes);
  const Int128 unit_denominator = static_cast<Int128>(1000) * 1000 * MinorPerUnit(exponent);
  std::vector<bool> touched(n, false), closed(n, false);
  bool basket_touched = false, basket_closed = false;
  for (const EarnRule& rule : r.earn_rules) {
    if (rule.trigger != Trigger::kPurchase) continue;
    if (!SaleMatches(rule, e, in.state, in.segments, at, eligible_minor)) continue;
    if (!CapsAllow(rule, in.state, at)) continue;
    const bool line_rule = rule.IsLineRule();
    if (!line_rule && (basket_closed || (rule.exclusive && basket_touched))) continue;
    std::vector<bool> sel(n, false);
    bool any = false;
    int64_t sel_minor = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (!eligible[i] || !LineMatches(rule, e.lines[i])) continue;
      if (line_rule && (closed[i] || (rule.exclusive && touched[i]))) continue;
      sel[i] = any = true;
      sel_minor += e.lines[i].line_total_minor;
    }
    if (!any) continue;

    std::vector<int64_t> parts(n, 0);
    if (rule.multiplier_milli > 0) {
      const int64_t extra = DivideRounded128(
          static_cast<Int128>(sel_minor) * p.points_per_unit_milli * (rule.multiplier_milli - 1000),
          unit_denominator, p.rounding);
      parts = Distribute(extra, SpreadWeights(e.lines, sel));
    } else if (rule.points_per_item > 0) {
      for (std::size_t i = 0; i < n; ++i) {
        if (sel[i]) parts[i] = e.lines[i].quantity * rule.points_per_item;
      }
    } else {
      parts = Distribute(rule.bonus_points, SpreadWeights(e.lines, sel));
    }
    const int64_t want = std::accumulate(parts.begin(), parts.end(), int64_t{0});
    if (want <= 0) continue;
    if (rule.budget_points > 0) {
      const int64_t granted = in.budgets != nullptr ? in.budgets->Take(rule, want) : 0;
      if (granted == 0) continue;
      if (granted < want) parts = Distribute(granted, parts);
    }
    tally.Add(rule.id, parts);
    if (HasCaps(rule)) out.applied.push_back(rule.id);
    if (line_rule) {
      for (std::size_t i = 0; i < n; ++i) {
        if (!sel[i]) continue;
        touched[i] = true;
        if (rule.exclusive) closed[i] = true;
      }
    } else {
      basket_touched = true;
      if (rule.exclusive) basket_closed = true;
    }
  }

  if (tier != nullptr && tier->birthday_gift_points > 0 &&
      BirthdayMatches(BirthdayWindow::kWeek, in.state.birthday, at)) {
    EarnRule gift;
    gift.id = "birthday-gift";
    gift.cap_per_year = 1;
    if (CapsAllow(gift, in.state, at)) {
      tally.Add(gift.id, Distribute(tier->birthday_gift_points, SpreadWeights(e.lines, eligible)));
      out.applied.push_back(gift.id);
    }
  }
  return out;
}

Earning EarnOnEnrol(const EarnInput& in) {
  Earning out;
  const Moment at = MomentOf(in.event.event_time_ms, in.rules.program.utc_offset_minutes);
  for (const EarnRule& rule : in.rules.earn_rules) {
    if (rule.trigger != Trigger::kEnroll) continue;
    if (!SaleMatches(rule, in.event, in.state, in.segments, at, 0)) continue;
    int64_t points = rule.bonus_points;
    if (rule.budget_points > 0) {
      points = in.budgets != nullptr ? in.budgets->Take(rule, points) : 0;
    }
    if (points <= 0) continue;
    out.total += points;
    out.awards.push_back({rule.id, points});
  }
  return out;
}

void RecordUses(CustomerState& state, const RuleSet& rules, const std::vector<std::string>& applied,
                TimeMs event_time_ms) {
  // Forget the counts of rules that no longer exist, so the list stays small.
  std::erase_if(state.rule_uses, [&](const RuleUse& u) {
    return u.rule_id != "birthday-gift" && rules.FindRule(u.rule_id) == nullptr;
  });
  const Moment at = MomentOf(event_time_ms, rules.program.utc_offset_minutes);
  for (const std::string& id : applied) {
    auto it = std::find_if(state.rule_uses.begin(), state.rule_uses.end(),
                           [&](const RuleUse& u) { return u.rule_id == id; });
    if (it == state.rule_uses.end()) {
      state.rule_uses.push_back(RuleUse{id});
      it = state.rule_uses.end() - 1;
    }
    it->total += 1;
    if (it->day_ms != at.day * kMsPerDay) {
      it->day_ms = at.day * kMsPerDay;
      it->day_count = 0;
    }
    it->day_count += 1;
    if (it->year != at.date.year) {
      it->year = at.date.year;
      it->year_count = 0;
    }
    it->year_count += 1;
  }
}

}  // namespace loyalty
