// RuleSet: an immutable, validated snapshot of the marketing rules. Shards
// share one through a shared_ptr<const RuleSet>; publishing a new version is
// swapping that pointer.
//
// This is the program section of DESIGN.md §7. Amount-like settings are
// integers (milli-points, per-mille shares) so decisions are exact.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/status.h"

namespace loyalty {

enum class Rounding : uint8_t { kFloor = 1, kNearest = 2, kCeil = 3 };
enum class ReturnPolicy : uint8_t {
  kWithinBalance = 1,  // reverse what the balance allows; forgive the rest
  kAllowNegative = 2,  // reverse all; the customer owes points (debt)
};

struct ProgramRules {
  std::string currency = "EUR";
  int64_t points_per_unit_milli = 1000;  // points per major unit, x1000
  Rounding rounding = Rounding::kFloor;
  std::vector<std::string> exclude_categories;
  std::vector<std::string> exclude_skus;
  int32_t pending_days = 0;   // return window before points are spendable
  int32_t expiry_days = 365;  // rolling expiry from earning; 0 = never
  ReturnPolicy return_policy = ReturnPolicy::kWithinBalance;
  int64_t point_value_minor = 1;  // discount one point buys
  int64_t min_redeem_points = 0;
  int32_t max_share_of_basket_permille = 1000;  // 500 = half the basket
};

struct RuleSet {
  uint32_t version = 1;
  std::string name = "default";
  ProgramRules program;
  std::string base_tier = "member";
};

// Checks value ranges and consistency; the message names the field.
Status ValidateRuleSet(const RuleSet& rules);

}  // namespace loyalty
