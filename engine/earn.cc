#include "engine/earn.h"

#include <algorithm>
#include <numeric>

#include "engine/birthday.h"
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
  if (window == BirthdayWindow::kDay) return BirthdayNear(*birthday, at.day, 0).has_value();
  return BirthdayWeekOf(*birthday, at.day).has_value();  // birthday.h: the one definition
}

const RuleUse* FindUse(const CustomerState& s, const std::string& id) {
  for (const RuleUse& u : s.rule_uses) {
    if (u.rule_id == id) return &u;
  }
  return nullptr;
}

constexpr const char* kBirthdayGift = "birthday-gift";

// Whether a rule pays in the birthday week: its uses count per birthday.
bool ForTheBirthdayWeek(const std::string& rule_id, const EarnRule* rule) {
  return rule_id == kBirthdayGift || (rule != nullptr && rule->birthday == BirthdayWindow::kWeek);
}

// The year a use of a rule counts in: the sale's local year, except for the
// birthday week's gift and rules, which count in the year of the birthday
// they celebrate (a week around a 30 December birthday reaches into
// January: once for it, and next December's is still due).
int32_t YearOfUse(bool birthday_week, const CustomerState& s, const Moment& at) {
  if (birthday_week && s.birthday) {
    if (auto b = BirthdayWeekOf(*s.birthday, at.day)) return CivilFromDays(*b).year;
  }
  return at.date.year;
}

bool CapsAllow(const EarnRule& rule, const CustomerState& s, const Moment& at) {
  const RuleUse* u = FindUse(s, rule.id);
  if (u == nullptr) return true;
  if (rule.cap_per_customer > 0 && u->total >= rule.cap_per_customer) return false;
  if (rule.cap_per_day > 0 && u->day_ms == at.day * kMsPerDay && u->day_count >= rule.cap_per_day)
    return false;
  if (rule.cap_per_year > 0 && u->year == YearOfUse(ForTheBirthdayWeek(rule.id, &rule), s, at) &&
      u->year_count >= rule.cap_per_year)
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

// Apportions `total` whole points over exact shares (in 1/denominator
// point): each share gets its floor, and the points left over go one each to
// the largest remainders (earlier index on ties). When `total` is the basket's
// sum rounded once, at most one point goes to each share with a fraction, so
// a share that is a whole number gets exactly that number.
std::vector<int64_t> Apportion(int64_t total, const std::vector<Int128>& exact,
                               Int128 denominator) {
  std::vector<int64_t> out(exact.size(), 0);
  std::vector<Int128> remainder(exact.size(), 0);
  int64_t given = 0;
  for (std::size_t i = 0; i < exact.size(); ++i) {
    out[i] = static_cast<int64_t>(exact[i] / denominator);
    remainder[i] = exact[i] % denominator;
    given += out[i];
  }
  std::vector<std::size_t> order(exact.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return remainder[a] > remainder[b]; });
  LOYALTY_CHECK(given <= total && total - given <= static_cast<int64_t>(exact.size()));
  for (std::size_t k = 0; given < total; ++k, ++given) out[order[k]] += 1;
  return out;
}

// The points of every award before rounding: exact, per line, in units of
// 1/denominator point. Round() rounds the basket's sum once, then attributes
// the whole points to awards and to lines so that each adds up to the total.
class ExactTally {
 public:
  ExactTally(std::size_t lines, Int128 denominator) : lines_(lines), denominator_(denominator) {}
  Int128 denominator() const { return denominator_; }
  void Add(const std::string& rule_id, const std::vector<Int128>& parts) {
    Int128 sum = 0;
    for (Int128 v : parts) sum += v;
    if (sum == 0) return;
    ids_.push_back(rule_id);
    parts_.push_back(parts);
  }
  // Whole points per line, all in units of one point.
  void AddWhole(const std::string& rule_id, const std::vector<int64_t>& points) {
    std::vector<Int128> parts(points.size());
    for (std::size_t i = 0; i < points.size(); ++i) parts[i] = points[i] * denominator_;
    Add(rule_id, parts);
  }
  Earning Round(Rounding rounding) const {
    Earning out;
    std::vector<Int128> per_rule(ids_.size(), 0), per_line(lines_, 0);
    Int128 sum = 0;
    for (std::size_t r = 0; r < ids_.size(); ++r) {
      for (std::size_t i = 0; i < lines_; ++i) {
        per_rule[r] += parts_[r][i];
        per_line[i] += parts_[r][i];
      }
      sum += per_rule[r];
    }
    out.total = DivideRounded128(sum, denominator_, rounding);
    out.line_points = Apportion(out.total, per_line, denominator_);
    const std::vector<int64_t> awarded = Apportion(out.total, per_rule, denominator_);
    for (std::size_t r = 0; r < ids_.size(); ++r) {
      if (awarded[r] > 0) out.awards.push_back({ids_[r], awarded[r]});
    }
    return out;
  }

 private:
  std::size_t lines_;
  Int128 denominator_;
  std::vector<std::string> ids_;
  std::vector<std::vector<Int128>> parts_;
};

// The share of a basket that earns as money: paid / basket (1 / 1 when
// points paid nothing or program.earn_on is whole_basket).
struct MoneyShare {
  Int128 paid = 1;
  Int128 basket = 1;
};

MoneyShare ShareOf(const EarnInput& in) {
  if (in.rules.program.earn_on != EarnOn::kMoneyPaid || in.paid_with_points_minor <= 0) return {};
  int64_t basket = 0;
  for (const Line& l : in.event.lines) basket += l.line_total_minor;
  if (basket <= 0) return {};
  return {std::max<int64_t>(0, basket - in.paid_with_points_minor), basket};
}

// Exact base points of each eligible line, and the same times a multiplier's
// extra (multiplier_milli - 1000), over the tally's denominator
// (1000 x 1000 x minor units per major unit x share.basket).
std::vector<Int128> BaseParts(const std::vector<Line>& lines, const std::vector<bool>& sel,
                              int64_t rate_milli, int64_t factor_milli, MoneyShare share) {
  std::vector<Int128> parts(lines.size(), 0);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (sel[i])
      parts[i] =
          static_cast<Int128>(lines[i].line_total_minor) * rate_milli * factor_milli * share.paid;
  }
  return parts;
}

std::vector<bool> EligibleLines(const std::vector<Line>& lines, const ProgramRules& program) {
  std::vector<bool> eligible(lines.size());
  for (std::size_t i = 0; i < lines.size(); ++i) eligible[i] = IsEligible(lines[i], program);
  return eligible;
}

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
  ExactTally tally(lines.size(), static_cast<Int128>(1000) * 1000 * MinorPerUnit(exponent));
  tally.Add("base", BaseParts(lines, EligibleLines(lines, rules.program),
                              rules.program.points_per_unit_milli, 1000, MoneyShare{}));
  return tally.Round(rules.program.rounding);
}

namespace {

// What one earn rule would add, exactly, on the lines it selects; empty when
// it does not apply. Budgeted rules draw whole points (the rule's own sum
// rounded), so a budget is never overshot.
std::vector<Int128> RuleParts(const EarnRule& rule, const EarnInput& in,
                              const std::vector<bool>& sel, Int128 denominator) {
  const std::vector<Line>& lines = in.event.lines;
  const ProgramRules& p = in.rules.program;
  const std::size_t n = lines.size();
  std::vector<Int128> parts(n, 0);
  if (rule.multiplier_milli > 0) {
    parts =
        BaseParts(lines, sel, p.points_per_unit_milli, rule.multiplier_milli - 1000, ShareOf(in));
  } else if (rule.points_per_item > 0) {
    for (std::size_t i = 0; i < n; ++i) {
      if (sel[i])
        parts[i] = static_cast<Int128>(lines[i].quantity) * rule.points_per_item * denominator;
    }
  } else {
    const std::vector<int64_t> whole = Distribute(rule.bonus_points, SpreadWeights(lines, sel));
    for (std::size_t i = 0; i < n; ++i) parts[i] = whole[i] * denominator;
  }
  Int128 exact = 0;
  for (Int128 v : parts) exact += v;
  if (exact <= 0) return {};
  if (rule.budget_points == 0) return parts;
  std::vector<int64_t> whole =
      Apportion(DivideRounded128(exact, denominator, p.rounding), parts, denominator);
  const int64_t want = std::accumulate(whole.begin(), whole.end(), int64_t{0});
  if (want <= 0) return {};
  const int64_t granted = in.budgets != nullptr ? in.budgets->Take(rule, want) : 0;
  if (granted == 0) return {};
  if (granted < want) whole = Distribute(granted, whole);
  for (std::size_t i = 0; i < n; ++i) parts[i] = whole[i] * denominator;
  return parts;
}

// Earn rules, highest priority first, into `tally`; names the capped rules
// that applied.
void AddRules(const EarnInput& in, const Moment& at, const std::vector<bool>& eligible,
              int64_t eligible_minor, ExactTally& tally, std::vector<std::string>& applied) {
  const Event& e = in.event;
  const std::size_t n = e.lines.size();
  std::vector<bool> touched(n, false), closed(n, false);
  bool basket_touched = false, basket_closed = false;
  for (const EarnRule& rule : in.rules.earn_rules) {
    if (rule.trigger != Trigger::kPurchase) continue;
    if (!SaleMatches(rule, e, in.state, in.segments, at, eligible_minor)) continue;
    if (!CapsAllow(rule, in.state, at)) continue;
    const bool line_rule = rule.IsLineRule();
    if (!line_rule && (basket_closed || (rule.exclusive && basket_touched))) continue;
    std::vector<bool> sel(n, false);
    bool any = false;
    for (std::size_t i = 0; i < n; ++i) {
      if (!eligible[i] || !LineMatches(rule, e.lines[i])) continue;
      if (line_rule && (closed[i] || (rule.exclusive && touched[i]))) continue;
      sel[i] = any = true;
    }
    if (!any) continue;
    const std::vector<Int128> parts = RuleParts(rule, in, sel, tally.denominator());
    if (parts.empty()) continue;
    tally.Add(rule.id, parts);
    if (HasCaps(rule)) applied.push_back(rule.id);
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
}

}  // namespace

Earning Earn(const EarnInput& in) {
  const Event& e = in.event;
  const RuleSet& r = in.rules;
  const ProgramRules& p = r.program;
  const int exponent = *CurrencyExponent(p.currency);
  const std::vector<bool> eligible = EligibleLines(e.lines, p);
  int64_t eligible_minor = 0;
  for (std::size_t i = 0; i < e.lines.size(); ++i) {
    if (eligible[i]) eligible_minor += e.lines[i].line_total_minor;
  }
  const MoneyShare share = ShareOf(in);
  ExactTally tally(e.lines.size(),
                   static_cast<Int128>(1000) * 1000 * MinorPerUnit(exponent) * share.basket);
  tally.Add("base", BaseParts(e.lines, eligible, p.points_per_unit_milli, 1000, share));

  const Tier* tier = r.FindTier(in.state.tier);
  if (tier != nullptr && tier->earn_multiplier_milli != 1000) {
    tally.Add("tier:" + tier->id, BaseParts(e.lines, eligible, p.points_per_unit_milli,
                                            tier->earn_multiplier_milli - 1000, share));
  }
  const Moment at = MomentOf(e.event_time_ms, p.utc_offset_minutes);
  std::vector<std::string> applied;
  AddRules(in, at, eligible, eligible_minor, tally, applied);

  if (tier != nullptr && tier->birthday_gift_points > 0 &&
      BirthdayMatches(BirthdayWindow::kWeek, in.state.birthday, at)) {
    EarnRule gift;
    gift.id = kBirthdayGift;
    gift.cap_per_year = 1;
    if (CapsAllow(gift, in.state, at)) {
      tally.AddWhole(gift.id,
                     Distribute(tier->birthday_gift_points, SpreadWeights(e.lines, eligible)));
      applied.push_back(gift.id);
    }
  }
  Earning out = tally.Round(p.rounding);
  out.applied = std::move(applied);
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
    return u.rule_id != kBirthdayGift && rules.FindRule(u.rule_id) == nullptr;
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
    const int32_t year = YearOfUse(ForTheBirthdayWeek(id, rules.FindRule(id)), state, at);
    if (it->year != year) {
      it->year = year;
      it->year_count = 0;
    }
    it->year_count += 1;
  }
}

}  // namespace loyalty
