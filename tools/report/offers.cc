#include "tools/report/offers.h"

#include <algorithm>
#include <cmath>

namespace loyalty::report {

double OfferGroup::mean_spend_minor() const {
  return customers == 0 ? 0 : static_cast<double>(spend_minor) / static_cast<double>(customers);
}

double OfferGroup::spend_variance() const {
  if (customers < 2) return 0;
  const double n = static_cast<double>(customers);
  const double mean = mean_spend_minor();
  return std::max(0.0, (spend_squares - n * mean * mean) / (n - 1));
}

double StudentT975(double df) {
  // t(0.975, df) for df = 1..30; beyond, the Cornish-Fisher expansion
  // around the normal quantile (within 0.001 of the table's values).
  static constexpr double kTable[] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306,
                                      2.262,  2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120,
                                      2.110,  2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
                                      2.060,  2.056, 2.052, 2.048, 2.045, 2.042};
  const double whole = std::max(1.0, std::floor(df));
  if (whole <= 30) return kTable[static_cast<int>(whole) - 1];
  constexpr double z = 1.959964;
  return z + (z * z * z + z) / (4 * whole) +
         (5 * std::pow(z, 5) + 16 * z * z * z + 3 * z) / (96 * whole * whole);
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
    group.spend_squares +=
        static_cast<double>(use.spend_since_minor) * static_cast<double>(use.spend_since_minor);
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
    if (row.treated.customers < 2 || row.holdout.customers < 2) continue;
    const double a = row.treated.spend_variance() / static_cast<double>(row.treated.customers);
    const double b = row.holdout.spend_variance() / static_cast<double>(row.holdout.customers);
    const double se = std::sqrt(a + b);
    // Both groups spent exactly alike within themselves: the interval is the point.
    const double df = se == 0 ? 1e9
                              : (a + b) * (a + b) /
                                    (a * a / static_cast<double>(row.treated.customers - 1) +
                                     b * b / static_cast<double>(row.holdout.customers - 1));
    const double half = StudentT975(df) * se;
    row.spend_uplift_ci95_low_minor = *row.spend_uplift_minor - half;
    row.spend_uplift_ci95_high_minor = *row.spend_uplift_minor + half;
  }
  return r;
}

}  // namespace loyalty::report
