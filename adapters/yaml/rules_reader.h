// The rules file reader's machinery, shared by its parts: rules_file.cc
// (program, tiers, the file as a whole and the references between its
// sections), earn_rules_reader.cc (earn rules), knowing_reader.cc (lifecycle,
// churn, affinity, conditions, segments) and offers_reader.cc (the offer
// catalog). Internal to adapters/yaml.
#pragma once

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdio>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "adapters/yaml/rules_file.h"
#include "engine/calendar.h"
#include "engine/limits.h"
#include "engine/money.h"
#include "engine/validate.h"

namespace loyalty::rules_file::detail {

// " (did you mean 'x'?)" for the closest known word within 2 edits, or "".
std::string Suggest(const std::string& word, const std::vector<std::string>& known);

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
      Fail(n, path, NotANumber(*s, decimals));
      return std::nullopt;
    }
    return *v;
  }

  // Why `s` is not a number, and what to write instead when that is clear:
  // "'150,000' is not a whole number: write 150000 (no thousands separators)".
  static std::string NotANumber(const std::string& s, int decimals) {
    const std::string what = decimals == 0 ? "a whole number"
                                           : "a number with at most " + std::to_string(decimals) +
                                                 (decimals == 1 ? " decimal" : " decimals");
    std::string bare;
    for (char c : s) {
      if (c != ',' && c != '_' && c != ' ' && c != '\'') bare += c;
    }
    if (bare != s && ParseDecimalMinor(bare, decimals).ok()) {
      return "'" + s + "' is not " + what + ": write " + bare + " (no thousands separators)";
    }
    return "'" + s + "' is not " + what + (decimals == 0 ? "" : " (like 12.5)");
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

  // The i-th value of what OneOrMany read, to point at it.
  static YAML::Node Item(const YAML::Node& n, std::size_t i) { return n.IsScalar() ? n : n[i]; }

  // Words of a fixed vocabulary, one or a list, as their indexes in `known`;
  // an unknown word is named with the likely one and the whole vocabulary
  // ("'acount' is not a lifecycle stage (did you mean 'account'?); use ...").
  std::vector<std::size_t> Words(const YAML::Node& n, const std::string& path,
                                 const std::string& what, const std::vector<std::string>& known);

  // A share from 0 to 1 with up to 3 decimals, in per mille (0.7 -> 700).
  std::optional<int32_t> Share(const YAML::Node& n, const std::string& path,
                               const std::string& meaning) {
    auto v = Decimal(n, path, 3);
    if (v && (*v < 0 || *v > 1000)) {
      Fail(n, path, "must be between 0 and 1 (" + meaning + ")");
      return std::nullopt;
    }
    return v ? std::optional<int32_t>(static_cast<int32_t>(*v)) : std::nullopt;
  }

  // A list section of at most `max` entries; says what it should look like.
  bool IsList(const YAML::Node& n, const std::string& path, std::size_t max,
              const std::string& entries, const std::string& example) {
    if (!n.IsSequence()) {
      Fail(n, path, "expected a list of " + entries + ": " + example);
      return false;
    }
    if (n.size() > max) {
      Fail(n, path, "at most " + std::to_string(max) + " " + entries);
      return false;
    }
    return true;
  }

  // An entry's `name` for people, its id when not given.
  std::string Name(const YAML::Node& x, const std::string& path, const std::string& id) {
    if (!x["name"]) return id;
    return Scalar(x["name"], path + ".name").value_or(id);
  }

  // The `id` of a list entry, unique among `ids`; names what is missing.
  std::optional<std::string> Id(const YAML::Node& x, const std::string& path,
                                std::set<std::string>& ids, const std::string& when_missing) {
    if (!x["id"]) {
      Fail(x, path, when_missing);
      return std::nullopt;
    }
    auto id = Scalar(x["id"], path + ".id");
    if (id && !ids.insert(*id).second) Fail(x["id"], path + ".id", "'" + *id + "' is used twice");
    return id;
  }

  // A range of the chain's days { from: 2026-08-25, to: 2026-09-20 }, both
  // included, as [from, to) local midnights (0 = open); Top() shifts them by
  // the program's UTC offset.
  void DateRange(const YAML::Node& d, const std::string& path, TimeMs& from_ms, TimeMs& to_ms);

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

  void Program(const YAML::Node& n, RuleSet& r);
  void Expiry(const YAML::Node& n, ProgramRules& p);
  void Redemption(const YAML::Node& n, ProgramRules& p);
  void Limits(const YAML::Node& n, ProgramLimits& l);
  void Tiers(const YAML::Node& n, RuleSet& r);
  void TierReview(const YAML::Node& n, TierPolicy& t);
  void EarnRules(const YAML::Node& n, RuleSet& r);
  void When(const YAML::Node& n, const std::string& path, EarnRule& rule);
  void Cap(const YAML::Node& n, const std::string& path, EarnRule& rule);
  void Ladder(const YAML::Node& n, LifecycleRules& l);
  void Churn(const YAML::Node& n, ChurnRules& c);
  void Affinity(const YAML::Node& n, RuleSet& r);
  void ConditionOf(const YAML::Node& n, const std::string& path, Condition& c, bool in_segment);
  void ConditionBounds(const YAML::Node& n, const std::string& path, Condition& c);
  void Segments(const YAML::Node& n, RuleSet& r);
  void Offers(const YAML::Node& n, RuleSet& r);
  void Reward(const YAML::Node& n, const std::string& path, Offer& o);
  void OfferLimits(const YAML::Node& x, const std::string& path, Offer& offer);
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
  std::vector<Ref> category_refs_, tier_refs_, segment_refs_;
  // Notes where each of `values` (read by OneOrMany from `n`) was written.
  void NoteRefs(std::vector<Ref>& refs, const YAML::Node& n, const std::string& path,
                const std::vector<std::string>& values) {
    for (std::size_t i = 0; i < values.size(); ++i) refs.push_back({Item(n, i), path, values[i]});
  }
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

}  // namespace loyalty::rules_file::detail
