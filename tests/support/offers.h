// Offers for core tests.
#pragma once

#include <string>

#include "engine/rules.h"

namespace loyalty::testing {

// 10% off the line that redeems it.
inline Offer TenPercent(std::string id, int32_t holdout_permille = 0,
                        int64_t budget_redemptions = 0) {
  Offer o;
  o.id = std::move(id);
  o.reward = OfferReward::kDiscountPercent;
  o.reward_value = 100;
  o.holdout_permille = holdout_permille;
  o.budget_redemptions = budget_redemptions;
  return o;
}

}  // namespace loyalty::testing
