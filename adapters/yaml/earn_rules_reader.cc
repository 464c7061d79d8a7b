// Earn rules: conditions, one reward, caps, budgets and stacking.
#include "adapters/yaml/rules_reader.h"

namespace loyalty::rules_file::detail {

void Reader::When(const YAML::Node& n, const std::string& path, EarnRule& rule) {
  if (!IsMap(n, path)) return;
  OnlyKeys(n, path,
           {"category", "sku", "brand", "store", "tier", "segment", "date", "days", "hours",
            "basket_total_min", "visit_every", "birthday"});
  if (n["category"]) {
    rule.categories = OneOrMany(n["category"], path + ".category");
    NoteRefs(category_refs_, n["category"], path + ".category", rule.categories);
  }
  if (n["sku"]) rule.skus = OneOrMany(n["sku"], path + ".sku");
  if (n["brand"]) rule.brands = OneOrMany(n["brand"], path + ".brand");
  if (n["store"]) rule.stores = OneOrMany(n["store"], path + ".store");
  if (n["tier"]) {
    rule.tiers = OneOrMany(n["tier"], path + ".tier");
    NoteRefs(tier_refs_, n["tier"], path + ".tier", rule.tiers);
  }
  if (n["segment"]) {
    rule.segments = OneOrMany(n["segment"], path + ".segment");
    NoteRefs(segment_refs_, n["segment"], path + ".segment", rule.segments);
  }
  if (n["date"]) DateRange(n["date"], path + ".date", rule.from_ms, rule.to_ms);
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
  if (!IsList(n, "earn_rules", limits::kEarnRulesMax, "rules",
              "- { id: ..., when: ..., multiplier: 2 }"))
    return;
  std::set<std::string> ids;
  for (std::size_t i = 0; i < n.size(); ++i) {
    const std::string path = "earn_rules[" + std::to_string(i) + "]";
    const YAML::Node x = n[i];
    if (!IsMap(x, path)) continue;
    OnlyKeys(x, path,
             {"id", "name", "on", "when", "multiplier", "points_per_item", "bonus_points", "cap",
              "budget_points", "stacking", "priority"});
    EarnRule rule;
    if (auto id = Id(x, path, ids,
                     "every rule needs an id (it names the rule on receipts and reports)")) {
      rule.id = *id;
      if (*id == "base" || *id == "birthday-gift" || id->rfind("tier:", 0) == 0 ||
          id->rfind("offer:", 0) == 0) {
        Fail(x["id"], path + ".id", "'" + *id + "' is reserved for the engine's own awards");
      }
    }
    rule.name = Name(x, path, rule.id);
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

}  // namespace loyalty::rules_file::detail
