// Earn rules: conditions, one reward, caps, budgets and stacking; and the
// check that every category and tier a rule names exists.
#include "adapters/yaml/rules_reader.h"

namespace loyalty::rules_file::detail {

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

}  // namespace loyalty::rules_file::detail
