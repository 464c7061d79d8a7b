// What an activation would do to the customers already in the store, checked
// before a new rule set goes in force (issue 13):
//   - a currency other than the one the stored money is in: every sale after
//     it would fail (INVALID_FIELD currency) and the stored amounts would be
//     read in the wrong currency. Refused whenever any customer exists.
//   - a tier that customers hold and the new rules no longer have: those
//     customers start over from the lowest tier at their next event and
//     qualify again on their last 12 months (engine/tiers.cc). Refused unless
//     the publisher confirms that migration.
// Reads every customer (run it on the worker thread).
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "adapters/rocksdb/store.h"
#include "engine/rules.h"

namespace loyalty {

struct ActivationRisks {
  uint64_t customers = 0;
  std::string currency_in_force;
  std::string currency_candidate;
  std::map<std::string, uint64_t> dropped_tiers;  // tier id -> customers holding it
  bool currency_differs() const { return customers > 0 && currency_in_force != currency_candidate; }
  // "tier gold (12 customers), tier vip (1 customer)"
  std::string DroppedTiersText() const;
};

Result<ActivationRisks> CheckActivation(const Store& store, const RuleSet& in_force,
                                        const RuleSet& candidate);

}  // namespace loyalty
