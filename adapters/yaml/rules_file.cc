#include "adapters/yaml/rules_file.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <set>
#include <sstream>

#include "engine/limits.h"
#include "engine/money.h"

namespace loyalty::rules_file {
namespace {

// Walks the YAML tree, converting and collecting problems as it goes.
class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  void Fail(const YAML::Node& at, const std::string& path, const std::string& why) {
    const YAML::Mark m = at.Mark();
    problems_.push_back({file_, m.line + 1, m.column + 1, path + ": " + why});
  }

  // Refuses keys the reader does not know, naming the ones it does.
  void OnlyKeys(const YAML::Node& map, const std::string& path,
                const std::set<std::string>& known) {
    for (const auto& kv : map) {
      const std::string key = kv.first.as<std::string>();
      if (known.count(key)) continue;
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
      Fail(kv.first, path.empty() ? key : path + "." + key,
           "unknown key; expected one of: " + list);
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

  void Program(const YAML::Node& n, ProgramRules& p);
  void Redemption(const YAML::Node& n, ProgramRules& p);
  void Tiers(const YAML::Node& n, RuleSet& r);
  void Top(const YAML::Node& root, RuleSet& r);

  std::vector<Problem>& problems() { return problems_; }

 private:
  std::string file_;
  std::vector<Problem> problems_;
};

void Reader::Program(const YAML::Node& n, ProgramRules& p) {
  if (!IsMap(n, "program")) return;
  OnlyKeys(n, "program",
           {"currency", "points_per_unit", "rounding", "exclude_categories", "exclude_skus",
            "pending_days", "expiry", "return_policy", "redemption"});
  if (n["currency"]) {
    if (auto s = Scalar(n["currency"], "program.currency")) {
      if (CurrencyExponent(*s))
        p.currency = *s;
      else
        Fail(n["currency"], "program.currency", "'" + *s + "' is not an ISO 4217 code like EUR");
    }
  }
  if (n["points_per_unit"]) {
    if (auto v = Decimal(n["points_per_unit"], "program.points_per_unit", 3))
      p.points_per_unit_milli = *v;
  }
  if (n["rounding"]) {
    if (auto s = Scalar(n["rounding"], "program.rounding")) {
      if (*s == "floor")
        p.rounding = Rounding::kFloor;
      else if (*s == "nearest")
        p.rounding = Rounding::kNearest;
      else if (*s == "ceil")
        p.rounding = Rounding::kCeil;
      else
        Fail(n["rounding"], "program.rounding", "'" + *s + "' is not floor, nearest or ceil");
    }
  }
  if (n["exclude_categories"])
    p.exclude_categories = StringList(n["exclude_categories"], "program.exclude_categories");
  if (n["exclude_skus"]) p.exclude_skus = StringList(n["exclude_skus"], "program.exclude_skus");
  if (n["pending_days"]) {
    if (auto v = Integer(n["pending_days"], "program.pending_days", 0, limits::kPendingDaysMax))
      p.pending_days = static_cast<int32_t>(*v);
  }
  if (const YAML::Node e = n["expiry"]; e && IsMap(e, "program.expiry")) {
    OnlyKeys(e, "program.expiry", {"policy", "days"});
    if (e["policy"]) {
      auto s = Scalar(e["policy"], "program.expiry.policy");
      if (s && *s == "never")
        p.expiry_days = 0;
      else if (s && *s != "rolling")
        Fail(e["policy"], "program.expiry.policy", "'" + *s + "' is not rolling or never");
    }
    if (e["days"] && p.expiry_days != 0) {
      if (auto v = Integer(e["days"], "program.expiry.days", 1, limits::kExpiryDaysMax))
        p.expiry_days = static_cast<int32_t>(*v);
    }
  }
  if (n["return_policy"]) {
    if (auto s = Scalar(n["return_policy"], "program.return_policy")) {
      if (*s == "within_balance")
        p.return_policy = ReturnPolicy::kWithinBalance;
      else if (*s == "allow_negative")
        p.return_policy = ReturnPolicy::kAllowNegative;
      else
        Fail(n["return_policy"], "program.return_policy",
             "'" + *s + "' is not within_balance or allow_negative");
    }
  }
  if (n["redemption"]) Redemption(n["redemption"], p);
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
  std::set<std::string> ids;
  for (std::size_t i = 0; i < n.size(); ++i) {
    const std::string path = "tiers[" + std::to_string(i) + "]";
    if (!IsMap(n[i], path)) continue;
    OnlyKeys(n[i], path, {"id", "name"});
    if (!n[i]["id"]) {
      Fail(n[i], path, "every tier needs an id");
      continue;
    }
    auto id = Scalar(n[i]["id"], path + ".id");
    if (id && !ids.insert(*id).second)
      Fail(n[i]["id"], path + ".id", "'" + *id + "' is used twice");
    if (id && i == 0) r.base_tier = *id;
  }
}

void Reader::Top(const YAML::Node& root, RuleSet& r) {
  if (!IsMap(root, "(file)")) return;
  OnlyKeys(root, "", {"name", "version", "program", "tiers"});
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
