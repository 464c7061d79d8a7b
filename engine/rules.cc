#include "engine/rules.h"

#include "engine/limits.h"
#include "engine/money.h"

namespace loyalty {

const Tier* RuleSet::FindTier(const std::string& id) const {
  for (const Tier& t : tiers) {
    if (t.id == id) return &t;
  }
  return nullptr;
}

const EarnRule* RuleSet::FindRule(const std::string& id) const {
  for (const EarnRule& r : earn_rules) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

Status ValidateRuleSet(const RuleSet& r) {
  const ProgramRules& p = r.program;
  auto bad = [](const std::string& field, const std::string& why) {
    return Status::Invalid(field + ": " + why);
  };
  if (!CurrencyExponent(p.currency)) {
    return bad("program.currency", "'" + p.currency + "' is not an ISO 4217 code");
  }
  if (p.points_per_unit_milli < 0 || p.points_per_unit_milli > limits::kPointsPerUnitMilliMax) {
    return bad("program.points_per_unit",
               "must be between 0 and " + std::to_string(limits::kPointsPerUnitMilliMax / 1000));
  }
  if (p.pending_days < 0 || p.pending_days > limits::kPendingDaysMax) {
    return bad("program.pending_days",
               "must be between 0 and " + std::to_string(limits::kPendingDaysMax));
  }
  if (p.expiry_days < 0 || p.expiry_days > limits::kExpiryDaysMax) {
    return bad("program.expiry.days",
               "must be between 0 (never) and " + std::to_string(limits::kExpiryDaysMax));
  }
  if (p.expiry_days != 0 && p.expiry_days < p.pending_days) {
    return bad("program.expiry.days",
               "points would expire before they become spendable "
               "(pending_days is " +
                   std::to_string(p.pending_days) + ")");
  }
  if (p.point_value_minor < 1 || p.point_value_minor > 1'000'000) {
    return bad("program.redemption.point_value_minor", "must be between 1 and 1000000");
  }
  if (p.min_redeem_points < 0 || p.min_redeem_points > limits::kPointsPerEventMax) {
    return bad("program.redemption.min_points",
               "must be between 0 and " + std::to_string(limits::kPointsPerEventMax));
  }
  if (p.max_share_of_basket_permille < 1 || p.max_share_of_basket_permille > 1000) {
    return bad("program.redemption.max_share_of_basket", "must be above 0 and at most 1");
  }
  if (r.tiers.empty() || r.base_tier != r.tiers.front().id) {
    return bad("tiers", "the first tier is the base tier every customer starts in");
  }
  if (r.tiers.front().invitation_only) {
    return bad("tiers[0].invitation_only", "the base tier cannot be invitation-only");
  }
  const Tier* prev = nullptr;
  for (std::size_t i = 0; i < r.tiers.size(); ++i) {
    const Tier& t = r.tiers[i];
    const std::string at = "tiers[" + std::to_string(i) + "]";
    if (t.id.empty()) return bad(at + ".id", "every tier needs an id");
    for (std::size_t j = 0; j < i; ++j) {
      if (r.tiers[j].id == t.id) return bad(at + ".id", "'" + t.id + "' is used twice");
    }
    if (t.earn_multiplier_milli < 1000 || t.earn_multiplier_milli > limits::kMultiplierMilliMax) {
      return bad(at + ".earn_multiplier",
                 "must be between 1 and " + std::to_string(limits::kMultiplierMilliMax / 1000));
    }
    if (t.invitation_only || i == 0) continue;
    if (prev != nullptr && !AsksMoreThan(t, *prev)) {
      return bad(at + ".qualify", "tier '" + t.id + "' must ask more than tier '" + prev->id +
                                      "' before it (tiers go from lowest to highest)");
    }
    prev = &t;
  }
  for (std::size_t i = 0; i < r.earn_rules.size(); ++i) {
    const EarnRule& e = r.earn_rules[i];
    const std::string at = "earn_rules[" + std::to_string(i) + "]";
    if (e.id.empty()) return bad(at + ".id", "every rule needs an id");
    for (std::size_t j = 0; j < i; ++j) {
      if (r.earn_rules[j].id == e.id) return bad(at + ".id", "'" + e.id + "' is used twice");
    }
    const int effects = (e.multiplier_milli > 0) + (e.points_per_item > 0) + (e.bonus_points > 0);
    if (effects != 1) {
      return bad(at, "a rule has exactly one of multiplier, points_per_item, bonus_points");
    }
    if (e.multiplier_milli > 0 &&
        (e.multiplier_milli <= 1000 || e.multiplier_milli > limits::kMultiplierMilliMax)) {
      return bad(at + ".multiplier", "must be above 1 and at most " +
                                         std::to_string(limits::kMultiplierMilliMax / 1000));
    }
    if (e.trigger == Trigger::kEnroll && (e.bonus_points == 0 || e.HasLineConditions())) {
      return bad(at, "an enrolment rule gives bonus_points and has no line conditions");
    }
    if (e.from_ms != 0 && e.to_ms != 0 && e.from_ms >= e.to_ms) {
      return bad(at + ".when.date", "the range ends before it starts");
    }
    for (const std::string& t : e.tiers) {
      if (r.FindTier(t) == nullptr) return bad(at + ".when.tier", "'" + t + "' is not a tier");
    }
  }
  return Status::Ok();
}

}  // namespace loyalty
