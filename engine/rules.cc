#include "engine/rules.h"

#include "engine/limits.h"
#include "engine/money.h"

namespace loyalty {

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
  if (r.base_tier.empty()) return bad("tiers", "the base tier needs an id");
  return Status::Ok();
}

}  // namespace loyalty
