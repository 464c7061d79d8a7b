#include "tools/report/offers.h"

namespace loyalty::report {

double OfferGroup::mean_spend_minor() const {
  return customers == 0 ? 0 : static_cast<double>(spend_minor) / static_cast<double>(customers);
}

double OfferGroup::mean_visits() const {
  return customers == 0 ? 0 : static_cast<double>(visits) / static_cast<double>(customers);
}

OffersTally::OffersTally(const RuleSet& rules) {
  for (const Offer& o : rules.offers) {
    index_[o.id] = report_.offers.size();
    OfferRow row;
    row.id = o.id;
    row.name = o.name;
    row.holdout_permille = o.holdout_permille;
    report_.offers.push_back(row);
  }
}

void OffersTally::Add(const CustomerState& state) {
  report_.customers += 1;
  report_.discounts_minor += state.offer_discount_minor;
  report_.offers_issued += state.offers_issued;
  report_.offers_redeemed += state.offers_redeemed;
  for (const OfferUse& use : state.offer_uses) {
    auto at = index_.find(use.offer_id);
    if (at == index_.end()) continue;  // an offer the rules no longer have
    OfferRow& row = report_.offers[at->second];
    OfferGroup& group = use.holdout ? row.holdout : row.treated;
    group.customers += 1;
    group.spend_minor += use.spend_since_minor;
    group.visits += use.visits_since;
    if (use.holdout) continue;
    row.issued += use.issued;
    row.redeemed += use.redeemed;
    row.redeemers += use.redeemed > 0 ? 1 : 0;
  }
}

OffersReport OffersTally::Finish() const {
  OffersReport r = report_;
  for (OfferRow& row : r.offers) {
    if (row.issued > 0) {
      row.redemption_rate_percent =
          100.0 * static_cast<double>(row.redeemed) / static_cast<double>(row.issued);
    }
    if (row.treated.customers == 0 || row.holdout.customers == 0) continue;
    const double base = row.holdout.mean_spend_minor();
    row.spend_uplift_minor = row.treated.mean_spend_minor() - base;
    if (base > 0) row.spend_uplift_percent = 100.0 * *row.spend_uplift_minor / base;
    row.visits_uplift = row.treated.mean_visits() - row.holdout.mean_visits();
  }
  return r;
}

}  // namespace loyalty::report
