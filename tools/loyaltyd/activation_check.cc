#include "tools/loyaltyd/activation_check.h"

#include <set>

namespace loyalty {

std::string ActivationRisks::DroppedTiersText() const {
  std::string out;
  for (const auto& [tier, n] : dropped_tiers) {
    out += (out.empty() ? "" : ", ") + std::string("tier ") + tier + " (" + std::to_string(n) +
           (n == 1 ? " customer)" : " customers)");
  }
  return out;
}

Result<ActivationRisks> CheckActivation(const Store& store, const RuleSet& in_force,
                                        const RuleSet& candidate) {
  ActivationRisks risks;
  risks.currency_in_force = in_force.program.currency;
  risks.currency_candidate = candidate.program.currency;
  std::set<std::string> kept;
  for (const Tier& t : candidate.tiers) kept.insert(t.id);
  const Status read = store.ForEachCustomer([&](const CustomerState& s) {
    risks.customers += 1;
    if (!s.tier.empty() && kept.count(s.tier) == 0) risks.dropped_tiers[s.tier] += 1;
    return Status::Ok();
  });
  if (!read.ok()) return read;
  return risks;
}

}  // namespace loyalty
