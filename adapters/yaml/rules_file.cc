#include "adapters/yaml/rules_file.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include "engine/calendar.h"
#include "engine/limits.h"
#include "engine/money.h"
#include "engine/validate.h"

namespace loyalty::rules_file {
namespace {

// Levenshtein distance, for "did you mean" hints.
std::size_t Distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

// " (did you mean 'x'?)" for the closest known word within 2 edits, or "".
std::string Suggest(const std::string& word, const std::vector<std::string>& known) {
  std::string best;
  std::size_t best_d = 3;
  for (const std::string& k : known) {
    const std::size_t d = Distance(word, k);
    if (d < best_d) {
      best_d = d;
      best = k;
    }
  }
  return best.empty() ? "" : " (did you mean '" + best + "'?)";
}

// Walks the YAML tree, converting and collecting problems as it goes.
class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  void Fail(const YAML::Node& at, const std::string& path, const std::string& why) {
    const YAML::Mark m = at.Mark();
    problems_.push_back({file_, m.line + 1, m.column + 1, path + ": " + why});
  }

  // Refuses keys the reader does not know, naming the ones it does (and the
  // likely one, for a typo).
  void OnlyKeys(const YAML::Node& map, const std::string& path,
                const std::set<std::string>& known) {
    for (const auto& kv : map) {
      const std::string key = kv.first.as<std::string>();
      if (known.count(key)) continue;
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
      const std::string hint = Suggest(key, {known.begin(), known.end()});
      Fail(kv.first, path.empty() ? key : path + "." + key,
           "unknown key" + (hint.empty() ? "" : hint + ";") +
               (hint.empty() ? "; expected one of: " : " expected one of: ") + list);
    }
  }

  bool IsMap(const YAML::Node& n, const std::string& path) {
    if (n.IsMap()) return true;
    Fail(n, path, "expected a mapping (key: value lines)");
    return false;
  }

  std::optional<std::string> Scalar(const YAML::Node& n, const std::string& path) {
    if (n.IsScalar()) return n.Scalar();
    Fail(n, path, "expected a single value");
    return std::nullopt;
  }

  // A decimal number with up to `decimals` places, as an integer scaled by
  // 10^decimals ("1.25" with 3 -> 1250).
  std::optional<int64_t> Decimal(const YAML::Node& n, const std::string& path, int decimals) {
    auto s = Scalar(n, path);
    if (!s) return std::nullopt;
    auto v = ParseDecimalMinor(*s, decimals);
    if (!v.ok()) {
      Fail(n, path,
           "'" + *s + "' is not a number with at most " + std::to_string(decimals) + " decimals");
      return std::nullopt;
    }
    return *v;
  }

  std::optional<int64_t> Integer(const YAML::Node& n, const std::string& path, int64_t lo,
                                 int64_t hi) {
    auto v = Decimal(n, path, 0);
    if (v && (*v < lo || *v > hi)) {
      Fail(n, path, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
      return std::nullopt;
    }
    return v;
  }

  std::vector<std::string> StringList(const YAML::Node& n, const std::string& path) {
    std::vector<std::string> out;
    if (!n.IsSequence()) {
      Fail(n, path, "expected a list like [gift-cards, tobacco]");
      return out;
    }
    for (std::size_t i = 0; i < n.size(); ++i) {
      if (auto s = Scalar(n[i], path + "[" + std::to_string(i) + "]")) out.push_back(*s);
    }
    return out;
  }

  // A yes/no value.
  std::optional<bool> Bool(const YAML::Node& n, const std::string& path) {
    auto s = Scalar(n, path);
    if (!s) return std::nullopt;
    if (*s == "true" || *s == "yes") return true;
    if (*s == "false" || *s == "no") return false;
    Fail(n, path, "'" + *s + "' is not true or false");
    return std::nullopt;
  }

  // One value or a list of them: `category: toys` or `category: [toys, games]`.
  std::vector<std::string> OneOrMany(const YAML::Node& n, const std::string& path) {
    if (n.IsScalar()) return {n.Scalar()};
    std::vector<std::string> out = StringList(n, path);
    if (out.size() > limits::kRuleListMax) {
      Fail(n, path, "at most " + std::to_string(limits::kRuleListMax) + " entries");
    }
    return out;
  }

  // A multiplier like 1.5 or 3, kept in thousandths; must be above `lo_milli`.
  std::optional<int64_t> Multiplier(const YAML::Node& n, const std::string& path,
                                    int64_t lo_milli) {
    auto v = Decimal(n, path, 3);
    if (!v) return std::nullopt;
    if (*v < lo_milli || *v > limits::kMultiplierMilliMax || (lo_milli > 1000 && *v == 1000)) {
      Fail(n, path,
           "multiplier " + n.Scalar() + " is out of bounds: use a value " +
               (lo_milli > 1000 ? "above 1" : "from 1") + " up to " +
               std::to_string(limits::kMultiplierMilliMax / 1000) + " (2 = double points)");
      return std::nullopt;
    }
    return v;
  }

  // A date YYYY-MM-DD as days since the epoch.
  std::optional<int64_t> DayNumber(const YAML::Node& n, const std::string& path) {
    auto s = Scalar(n, path);
    if (!s) return std::nullopt;
    int y = 0, m = 0, d = 0;
    char extra = 0;
    if (std::sscanf(s->c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &extra) == 3 &&
        IsValidDate(Date{y, m, d})) {
      return DaysFromCivil(y, m, d);
    }
    Fail(n, path, "'" + *s + "' is not a date like 2026-08-25");
    return std::nullopt;
  }

  // A time of day HH:MM as minutes since midnight (24:00 allowed as an end).
  std::optional<int32_t> Clock(const YAML::Node& n, const std::string& path) {
    auto s = Scalar(n, path);
    if (!s) return std::nullopt;
    int h = -1, m = -1;
    char extra = 0;
    if (std::sscanf(s->c_str(), "%2d:%2d%c", &h, &m, &extra) == 2 && h >= 0 && m >= 0 && m < 60 &&
        (h < 24 || (h == 24 && m == 0))) {
      return h * 60 + m;
    }
    Fail(n, path, "'" + *s + "' is not a time like 08:30");
    return std::nullopt;
  }

  // Money in the program currency, as minor units.
  std::optional<int64_t> Money(const YAML::Node& n, const std::string& path) {
    auto v = Decimal(n, path, exponent_);
    if (v && (*v < 0 || *v > limits::kBasketTotalMinorMax)) {
      Fail(n, path,
           "must be between 0 and " + FormatMinor(limits::kBasketTotalMinorMax, exponent_));
      return std::nullopt;
    }
    return v;
  }

  void Program(const YAML::Node& n, ProgramRules& p);
  void Expiry(const YAML::Node& n, ProgramRules& p);
  void Redemption(const YAML::Node& n, ProgramRules& p);
  void Tiers(const YAML::Node& n, RuleSet& r);
  void TierReview(const YAML::Node& n, TierPolicy& t);
  void EarnRules(const YAML::Node& n, RuleSet& r);
  void When(const YAML::Node& n, const std::string& path, EarnRule& rule);
  void Cap(const YAML::Node& n, const std::string& path, EarnRule& rule);
  void CheckReferences(const RuleSet& r);
  void Top(const YAML::Node& root, RuleSet& r);

  std::vector<Problem>& problems() { return problems_; }

 private:
  std::string file_;
  std::vector<Problem> problems_;
  int exponent_ = 2;  // of the program currency, for money values
  // Where each reference was written, to point at it when it is unknown.
  struct Ref {
    YAML::Node at;
    std::string path;
    std::string value;
  };
  std::vector<Ref> category_refs_, tier_refs_;
};

// Picks from a fixed set of words, or names them all.
template <typename E>
std::optional<E> Pick(Reader& r, const YAML::Node& n, const std::string& path,
                      std::initializer_list<std::pair<const char*, E>> words) {
  auto s = r.Scalar(n, path);
  if (!s) return std::nullopt;
  std::string list;
  for (const auto& [word, value] : words) {
    if (*s == word) return value;
    list += std::string(list.empty() ? "" : ", ") + word;
  }
  r.Fail(n, path, "'" + *s + "' is not one of: " + list);
  return std::nullopt;
}

void Reader::Program(const YAML::Node& n, ProgramRules& p) {
  if (!IsMap(n, "program")) return;
  OnlyKeys(n, "program",
           {"currency", "points_per_unit", "rounding", "exclude_categories", "exclude_skus",
            "categories", "pending_days", "expiry", "return_policy", "unknown_original",
            "redemption", "utc_offset"});
  if (n["currency"]) {
    if (auto s = Scalar(n["currency"], "program.currency")) {
      if (auto e = CurrencyExponent(*s)) {
        p.currency = *s;
        exponent_ = *e;
      } else {
        Fail(n["currency"], "program.currency", "'" + *s + "' is not an ISO 4217 code like EUR");
      }
    }
  }
  if (n["points_per_unit"]) {
    if (auto v = Decimal(n["points_per_unit"], "program.points_per_unit", 3))
      p.points_per_unit_milli = *v;
  }
  if (n["rounding"]) {
    if (auto v = Pick<Rounding>(*this, n["rounding"], "program.rounding",
                                {{"floor", Rounding::kFloor},
                                 {"nearest", Rounding::kNearest},
                                 {"ceil", Rounding::kCeil}}))
      p.rounding = *v;
  }
  if (n["exclude_categories"]) {
    p.exclude_categories = StringList(n["exclude_categories"], "program.exclude_categories");
    for (std::size_t i = 0; i < p.exclude_categories.size(); ++i) {
      category_refs_.push_back({n["exclude_categories"][i],
                                "program.exclude_categories[" + std::to_string(i) + "]",
                                p.exclude_categories[i]});
    }
  }
  if (n["exclude_skus"]) p.exclude_skus = StringList(n["exclude_skus"], "program.exclude_skus");
  if (n["categories"]) p.categories = StringList(n["categories"], "program.categories");
  if (n["pending_days"]) {
    if (auto v = Integer(n["pending_days"], "program.pending_days", 0, limits::kPendingDaysMax))
      p.pending_days = static_cast<int32_t>(*v);
  }
  if (n["expiry"]) Expiry(n["expiry"], p);
  if (n["return_policy"]) {
    if (auto v = Pick<ReturnPolicy>(*this, n["return_policy"], "program.return_policy",
                                    {{"within_balance", ReturnPolicy::kWithinBalance},
                                     {"allow_negative", ReturnPolicy::kAllowNegative},
                                     {"only_pending", ReturnPolicy::kOnlyPending}}))
      p.return_policy = *v;
  }
  if (n["unknown_original"]) {
    if (auto v = Pick<UnknownOriginalPolicy>(
            *this, n["unknown_original"], "program.unknown_original",
            {{"refuse", UnknownOriginalPolicy::kRefuse},
             {"reverse_at_base", UnknownOriginalPolicy::kReverseAtBase}}))
      p.unknown_original = *v;
  }
  if (n["utc_offset"]) {
    auto s = Scalar(n["utc_offset"], "program.utc_offset");
    int h = 0, m = 0;
    char sign = 0, extra = 0;
    if (s && std::sscanf(s->c_str(), "%c%2d:%2d%c", &sign, &h, &m, &extra) == 3 &&
        (sign == '+' || sign == '-') && h <= 14 && m < 60) {
      p.utc_offset_minutes = (sign == '-' ? -1 : 1) * (h * 60 + m);
    } else if (s) {
      Fail(n["utc_offset"], "program.utc_offset",
           "'" + *s + "' is not an offset from UTC like +01:00 or -05:00");
    }
  }
  if (n["redemption"]) Redemption(n["redemption"], p);
}

void Reader::Expiry(const YAML::Node& e, ProgramRules& p) {
  if (!IsMap(e, "program.expiry")) return;
  OnlyKeys(e, "program.expiry", {"policy", "days", "months", "years"});
  if (e["policy"]) {
    if (auto v = Pick<ExpiryPolicy>(*this, e["policy"], "program.expiry.policy",
                                    {{"rolling", ExpiryPolicy::kRolling},
                                     {"end_of_month", ExpiryPolicy::kEndOfMonth},
                                     {"end_of_year", ExpiryPolicy::kEndOfYear},
                                     {"never", ExpiryPolicy::kNever}}))
      p.expiry_policy = *v;
  }
  if (p.expiry_policy == ExpiryPolicy::kNever) p.expiry_days = 0;
  auto only_for = [&](const char* key, ExpiryPolicy policy, const char* policy_name) {
    if (e[key] && p.expiry_policy != policy) {
      Fail(e[key], std::string("program.expiry.") + key,
           std::string("only used with policy: ") + policy_name);
      return false;
    }
    return static_cast<bool>(e[key]);
  };
  if (only_for("days", ExpiryPolicy::kRolling, "rolling")) {
    if (auto v = Integer(e["days"], "program.expiry.days", 1, limits::kExpiryDaysMax))
      p.expiry_days = static_cast<int32_t>(*v);
  }
  if (only_for("months", ExpiryPolicy::kEndOfMonth, "end_of_month")) {
    if (auto v = Integer(e["months"], "program.expiry.months", 0, limits::kExpiryMonthsMax))
      p.expiry_months = static_cast<int32_t>(*v);
  }
  if (only_for("years", ExpiryPolicy::kEndOfYear, "end_of_year")) {
    if (auto v = Integer(e["years"], "program.expiry.years", 0, limits::kExpiryMonthsMax / 12))
      p.expiry_years = static_cast<int32_t>(*v);
  }
}

void Reader::Redemption(const YAML::Node& n, ProgramRules& p) {
  if (!IsMap(n, "program.redemption")) return;
  OnlyKeys(n, "program.redemption", {"point_value_minor", "min_points", "max_share_of_basket"});
  if (n["point_value_minor"]) {
    if (auto v =
            Integer(n["point_value_minor"], "program.redemption.point_value_minor", 1, 1'000'000))
      p.point_value_minor = *v;
  }
  if (n["min_points"]) {
    if (auto v = Integer(n["min_points"], "program.redemption.min_points", 0, 1'000'000'000))
      p.min_redeem_points = *v;
  }
  if (n["max_share_of_basket"]) {
    auto v = Decimal(n["max_share_of_basket"], "program.redemption.max_share_of_basket", 3);
    if (v && (*v <= 0 || *v > 1000)) {
      Fail(n["max_share_of_basket"], "program.redemption.max_share_of_basket",
           "must be above 0 and at most 1 (0.5 = half the basket)");
    } else if (v) {
      p.max_share_of_basket_permille = static_cast<int32_t>(*v);
    }
  }
}

void Reader::Tiers(const YAML::Node& n, RuleSet& r) {
  if (!n.IsSequence() || n.size() == 0) {
    Fail(n, "tiers", "expected a list of tiers, the base tier first: - { id: member }");
    return;
  }
  if (n.size() > limits::kTiersMax) {
    Fail(n, "tiers", "at most " + std::to_string(limits::kTiersMax) + " tiers");
    return;
  }
  r.tiers.clear();
  std::set<std::string> ids;
  std::optional<Tier> prev;  // the last tier reached by qualifying
  for (std::size_t i = 0; i < n.size(); ++i) {
    const std::string path = "tiers[" + std::to_string(i) + "]";
    const YAML::Node t = n[i];
    if (!IsMap(t, path)) continue;
    OnlyKeys(t, path,
             {"id", "name", "qualify", "earn_multiplier", "invitation_only", "benefits",
              "birthday_gift_points"});
    Tier tier;
    if (!t["id"]) {
      Fail(t, path, "every tier needs an id");
      continue;
    }
    if (auto id = Scalar(t["id"], path + ".id")) {
      tier.id = *id;
      if (!ids.insert(*id).second) Fail(t["id"], path + ".id", "'" + *id + "' is used twice");
    }
    tier.name = tier.id;
    if (t["name"]) {
      if (auto s = Scalar(t["name"], path + ".name")) tier.name = *s;
    }
    if (t["invitation_only"]) {
      if (auto b = Bool(t["invitation_only"], path + ".invitation_only")) tier.invitation_only = *b;
      if (i == 0 && tier.invitation_only) {
        Fail(t["invitation_only"], path + ".invitation_only",
             "the first tier is where everyone starts; it cannot be invitation-only");
      }
    }
    if (const YAML::Node q = t["qualify"]; q && IsMap(q, path + ".qualify")) {
      OnlyKeys(q, path + ".qualify", {"spend_12m", "visits_12m"});
      if (i == 0) Fail(q, path + ".qualify", "the first tier needs no qualification");
      if (tier.invitation_only) {
        Fail(q, path + ".qualify", "an invitation-only tier is given, not qualified for");
      }
      if (q["spend_12m"]) {
        if (auto v = Money(q["spend_12m"], path + ".qualify.spend_12m")) tier.spend_12m_minor = *v;
      }
      if (q["visits_12m"]) {
        if (auto v = Integer(q["visits_12m"], path + ".qualify.visits_12m", 0, 100'000))
          tier.visits_12m = static_cast<int32_t>(*v);
      }
    } else if (i > 0 && !tier.invitation_only && !t["qualify"]) {
      Fail(t, path,
           "tier '" + tier.id +
               "' needs qualify: { spend_12m: ..., visits_12m: ... } or invitation_only: true");
    }
    if (t["earn_multiplier"]) {
      if (auto v = Multiplier(t["earn_multiplier"], path + ".earn_multiplier", 1000))
        tier.earn_multiplier_milli = *v;
    }
    if (t["benefits"]) {
      for (const std::string& b : StringList(t["benefits"], path + ".benefits")) {
        if (b == "early_access") {
          tier.early_access = true;
        } else if (b == "birthday_gift") {
          if (!t["birthday_gift_points"]) {
            Fail(t["benefits"], path + ".benefits",
                 "birthday_gift needs birthday_gift_points: N on the tier");
          }
        } else {
          Fail(t["benefits"], path + ".benefits",
               "'" + b + "' is not a benefit; known: early_access, birthday_gift");
        }
      }
    }
    if (t["birthday_gift_points"]) {
      if (auto v = Integer(t["birthday_gift_points"], path + ".birthday_gift_points", 1,
                           limits::kBonusPointsMax))
        tier.birthday_gift_points = *v;
    }
    if (i > 0 && !tier.invitation_only && prev) {
      const bool more =
          tier.spend_12m_minor >= prev->spend_12m_minor && tier.visits_12m >= prev->visits_12m &&
          (tier.spend_12m_minor > prev->spend_12m_minor || tier.visits_12m > prev->visits_12m);
      if (!more) {
        Fail(t["qualify"] ? t["qualify"] : t, path + ".qualify",
             "overlaps tier '" + prev->id + "': list tiers from lowest to highest, each asking " +
                 "more spend or visits than the one before");
      }
    }
    if (!tier.invitation_only) prev = tier;
    if (i == 0) r.base_tier = tier.id;
    r.tiers.push_back(std::move(tier));
  }
}

void Reader::TierReview(const YAML::Node& n, TierPolicy& t) {
  if (!IsMap(n, "tier_review")) return;
  OnlyKeys(n, "tier_review", {"months", "grace_days"});
  if (n["months"]) {
    if (auto v = Integer(n["months"], "tier_review.months", 1, 120))
      t.review_months = static_cast<int32_t>(*v);
  }
  if (n["grace_days"]) {
    if (auto v = Integer(n["grace_days"], "tier_review.grace_days", 0, 365))
      t.grace_days = static_cast<int32_t>(*v);
  }
}

void Reader::When(const YAML::Node& n, const std::string& path, EarnRule& rule) {
  if (!IsMap(n, path)) return;
  OnlyKeys(n, path,
           {"category", "sku", "brand", "store", "tier", "date", "days", "hours",
            "basket_total_min", "visit_every", "birthday"});
  if (n["category"]) {
    rule.categories = OneOrMany(n["category"], path + ".category");
    for (std::size_t i = 0; i < rule.categories.size(); ++i) {
      category_refs_.push_back({n["category"].IsScalar() ? n["category"] : n["category"][i],
                                path + ".category", rule.categories[i]});
    }
  }
  if (n["sku"]) rule.skus = OneOrMany(n["sku"], path + ".sku");
  if (n["brand"]) rule.brands = OneOrMany(n["brand"], path + ".brand");
  if (n["store"]) rule.stores = OneOrMany(n["store"], path + ".store");
  if (n["tier"]) {
    rule.tiers = OneOrMany(n["tier"], path + ".tier");
    for (std::size_t i = 0; i < rule.tiers.size(); ++i) {
      tier_refs_.push_back(
          {n["tier"].IsScalar() ? n["tier"] : n["tier"][i], path + ".tier", rule.tiers[i]});
    }
  }
  if (const YAML::Node d = n["date"]; d && IsMap(d, path + ".date")) {
    OnlyKeys(d, path + ".date", {"from", "to"});
    std::optional<int64_t> from, to;
    if (d["from"]) from = DayNumber(d["from"], path + ".date.from");
    if (d["to"]) to = DayNumber(d["to"], path + ".date.to");
    // Local midnights; Top() shifts them by the program's UTC offset.
    if (from) rule.from_ms = *from * kMsPerDay;
    if (to) rule.to_ms = (*to + 1) * kMsPerDay;  // `to` is the last day, included
    if (from && to && *to < *from) {
      Fail(d["to"], path + ".date",
           "the range is reversed: 'to' (" + d["to"].Scalar() + ") is before 'from' (" +
               d["from"].Scalar() + ")");
    }
  }
  if (n["days"]) {
    static const char* kDays[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    rule.days_mask = 0;
    for (const std::string& day : OneOrMany(n["days"], path + ".days")) {
      bool known = false;
      for (int i = 0; i < 7; ++i) {
        if (day == kDays[i]) {
          rule.days_mask |= static_cast<uint8_t>(1u << i);
          known = true;
        }
      }
      if (!known) {
        Fail(n["days"], path + ".days",
             "'" + day + "' is not a day; use mon tue wed thu fri sat sun");
      }
    }
  }
  if (const YAML::Node h = n["hours"]; h && IsMap(h, path + ".hours")) {
    OnlyKeys(h, path + ".hours", {"from", "to"});
    if (h["from"]) {
      if (auto v = Clock(h["from"], path + ".hours.from")) rule.minute_from = *v;
    }
    if (h["to"]) {
      if (auto v = Clock(h["to"], path + ".hours.to")) rule.minute_to = *v;
    }
    if (rule.minute_from >= rule.minute_to) {
      Fail(h, path + ".hours", "the window is empty or reversed: 'from' must be before 'to'");
    }
  }
  if (n["basket_total_min"]) {
    if (auto v = Money(n["basket_total_min"], path + ".basket_total_min"))
      rule.basket_total_min_minor = *v;
  }
  if (n["visit_every"]) {
    if (auto v = Integer(n["visit_every"], path + ".visit_every", 2, 1000))
      rule.visit_every = static_cast<int32_t>(*v);
  }
  if (n["birthday"]) {
    if (auto v = Pick<BirthdayWindow>(*this, n["birthday"], path + ".birthday",
                                      {{"day", BirthdayWindow::kDay},
                                       {"week", BirthdayWindow::kWeek},
                                       {"month", BirthdayWindow::kMonth}}))
      rule.birthday = *v;
  }
}

void Reader::Cap(const YAML::Node& n, const std::string& path, EarnRule& rule) {
  if (!IsMap(n, path)) return;
  OnlyKeys(n, path, {"per_customer_per_day", "per_customer_per_year", "per_customer"});
  auto read = [&](const char* key, int32_t& into) {
    if (!n[key]) return;
    if (auto v = Integer(n[key], path + "." + key, 1, 1'000'000)) into = static_cast<int32_t>(*v);
  };
  read("per_customer_per_day", rule.cap_per_day);
  read("per_customer_per_year", rule.cap_per_year);
  read("per_customer", rule.cap_per_customer);
}

void Reader::EarnRules(const YAML::Node& n, RuleSet& r) {
  if (!n.IsSequence()) {
    Fail(n, "earn_rules", "expected a list of rules: - { id: ..., when: ..., multiplier: 2 }");
    return;
  }
  if (n.size() > limits::kEarnRulesMax) {
    Fail(n, "earn_rules", "at most " + std::to_string(limits::kEarnRulesMax) + " rules");
    return;
  }
  std::set<std::string> ids;
  for (std::size_t i = 0; i < n.size(); ++i) {
    const std::string path = "earn_rules[" + std::to_string(i) + "]";
    const YAML::Node x = n[i];
    if (!IsMap(x, path)) continue;
    OnlyKeys(x, path,
             {"id", "name", "on", "when", "multiplier", "points_per_item", "bonus_points", "cap",
              "budget_points", "stacking", "priority"});
    EarnRule rule;
    if (!x["id"]) {
      Fail(x, path, "every rule needs an id (it names the rule on receipts and reports)");
    } else if (auto id = Scalar(x["id"], path + ".id")) {
      rule.id = *id;
      if (!ids.insert(*id).second) Fail(x["id"], path + ".id", "'" + *id + "' is used twice");
      if (*id == "base" || *id == "birthday-gift" || id->rfind("tier:", 0) == 0) {
        Fail(x["id"], path + ".id", "'" + *id + "' is reserved for the engine's own awards");
      }
    }
    rule.name = rule.id;
    if (x["name"]) {
      if (auto s = Scalar(x["name"], path + ".name")) rule.name = *s;
    }
    if (x["on"]) {
      if (auto v = Pick<Trigger>(*this, x["on"], path + ".on",
                                 {{"purchase", Trigger::kPurchase}, {"enroll", Trigger::kEnroll}}))
        rule.trigger = *v;
    }
    if (x["when"]) When(x["when"], path + ".when", rule);
    int effects = 0;
    if (x["multiplier"]) {
      ++effects;
      if (auto v = Multiplier(x["multiplier"], path + ".multiplier", 1001))
        rule.multiplier_milli = *v;
    }
    if (x["points_per_item"]) {
      ++effects;
      if (auto v =
              Integer(x["points_per_item"], path + ".points_per_item", 1, limits::kBonusPointsMax))
        rule.points_per_item = *v;
    }
    if (x["bonus_points"]) {
      ++effects;
      if (auto v = Integer(x["bonus_points"], path + ".bonus_points", 1, limits::kBonusPointsMax))
        rule.bonus_points = *v;
    }
    if (effects != 1) {
      Fail(x, path,
           effects == 0 ? "the rule gives nothing: add multiplier, points_per_item or bonus_points"
                        : "give exactly one of multiplier, points_per_item, bonus_points "
                          "(write two rules to combine them)");
    }
    if (rule.trigger == Trigger::kEnroll && (effects == 1 && !x["bonus_points"])) {
      Fail(x, path, "an enrolment rule (on: enroll) gives bonus_points");
    }
    if (rule.trigger == Trigger::kEnroll && rule.HasLineConditions()) {
      Fail(x["when"], path + ".when", "an enrolment has no basket: no category, sku or brand");
    }
    if (x["cap"]) Cap(x["cap"], path + ".cap", rule);
    if (x["budget_points"]) {
      if (auto v = Integer(x["budget_points"], path + ".budget_points", 1,
                           limits::kPointsPerEventMax * 1000))
        rule.budget_points = *v;
    }
    if (x["stacking"]) {
      if (auto v = Pick<bool>(*this, x["stacking"], path + ".stacking",
                              {{"stackable", false}, {"exclusive", true}}))
        rule.exclusive = *v;
    }
    if (x["priority"]) {
      if (auto v = Integer(x["priority"], path + ".priority", -1000, 1000))
        rule.priority = static_cast<int32_t>(*v);
    }
    r.earn_rules.push_back(std::move(rule));
  }
  // Evaluation order: higher priority first, file order on ties.
  std::stable_sort(r.earn_rules.begin(), r.earn_rules.end(),
                   [](const EarnRule& a, const EarnRule& b) { return a.priority > b.priority; });
}

// References to categories and tiers must name something that exists.
void Reader::CheckReferences(const RuleSet& r) {
  if (!r.program.categories.empty()) {
    for (const Ref& ref : category_refs_) {
      const auto& known = r.program.categories;
      if (std::find(known.begin(), known.end(), ref.value) != known.end()) continue;
      Fail(ref.at, ref.path,
           "unknown category '" + ref.value + "'" + Suggest(ref.value, known) +
               "; the categories are listed under program.categories");
    }
  }
  std::vector<std::string> tier_ids;
  for (const Tier& t : r.tiers) tier_ids.push_back(t.id);
  for (const Ref& ref : tier_refs_) {
    if (std::find(tier_ids.begin(), tier_ids.end(), ref.value) != tier_ids.end()) continue;
    Fail(ref.at, ref.path, "unknown tier '" + ref.value + "'" + Suggest(ref.value, tier_ids));
  }
}

void Reader::Top(const YAML::Node& root, RuleSet& r) {
  if (!IsMap(root, "(file)")) return;
  OnlyKeys(root, "", {"name", "version", "program", "tiers", "tier_review", "earn_rules"});
  if (root["name"]) {
    if (auto s = Scalar(root["name"], "name")) r.name = *s;
  }
  if (root["version"]) {
    if (auto v = Integer(root["version"], "version", 1, 1'000'000'000))
      r.version = static_cast<uint32_t>(*v);
  }
  if (root["program"])
    Program(root["program"], r.program);
  else
    Fail(root, "program", "missing: every rules file needs a program section");
  if (root["tiers"]) Tiers(root["tiers"], r);
  if (root["tier_review"]) TierReview(root["tier_review"], r.tier_policy);
  if (root["earn_rules"]) EarnRules(root["earn_rules"], r);
  // Dates in rules are the chain's local days.
  const int64_t offset_ms = int64_t{r.program.utc_offset_minutes} * 60'000;
  for (EarnRule& rule : r.earn_rules) {
    if (rule.from_ms != 0) rule.from_ms -= offset_ms;
    if (rule.to_ms != 0) rule.to_ms -= offset_ms;
  }
  CheckReferences(r);
}

}  // namespace

std::string Problem::ToString() const {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line) + ":" + std::to_string(column);
  return out + ": " + message;
}

Loaded Parse(std::string_view text, const std::string& file_name) {
  Loaded out;
  Reader reader(file_name);
  RuleSet rules;
  try {
    const YAML::Node root = YAML::Load(std::string(text));
    reader.Top(root, rules);
  } catch (const YAML::Exception& e) {
    reader.problems().push_back(
        {file_name, e.mark.line + 1, e.mark.column + 1, "not valid YAML: " + e.msg});
  }
  if (reader.problems().empty()) {
    if (Status s = ValidateRuleSet(rules); !s.ok()) {
      reader.problems().push_back({file_name, 0, 0, s.message()});
    }
  }
  out.problems = std::move(reader.problems());
  if (out.problems.empty()) out.rules = std::move(rules);
  return out;
}

Loaded LoadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    Loaded out;
    out.problems.push_back({path, 0, 0, "cannot be read (does it exist?)"});
    return out;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return Parse(buffer.str(), path);
}

}  // namespace loyalty::rules_file
