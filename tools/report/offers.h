// Offers report (DESIGN.md §8, issue 4): per offer of the rules in force,
// how often it was issued and redeemed, and whether it works: the uplift of
// the customers who got it (treated) over those kept out of it (holdout,
// offers.h), as the mean spend and visits of each group since the offer's
// first issue (or, for the holdout, since it would have been issued), with
// both groups' sizes so a marketer can judge how far to trust it.
//
// Discounts are counted per customer, not per offer (CustomerState::
// offer_discount_minor): the report gives their total over all offers.
//
// Feed it one customer at a time (Add), then Finish. Pure; one tally per
// thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/customer_state.h"
#include "engine/rules.h"

namespace loyalty::report {

struct OfferGroup {
  uint64_t customers = 0;
  int64_t spend_minor = 0;  // since the first issue, all customers of the group
  int64_t visits = 0;
  double spend_squares = 0;  // sum of each customer's spend_minor squared (for the variance)
  double mean_spend_minor() const;
  // The sample variance of the customers' spend (n - 1); 0 below 2 customers.
  double spend_variance() const;
  double mean_visits() const;
};

struct OfferRow {
  std::string id, name;
  int32_t holdout_permille = 0;  // as the rules say
  int64_t issued = 0;            // times issued to treated customers
  int64_t redeemed = 0;
  uint64_t redeemers = 0;              // treated customers who redeemed at least once
  double redemption_rate_percent = 0;  // redeemed / issued
  OfferGroup treated, holdout;
  // treated mean - holdout mean; nullopt while either group is empty.
  std::optional<double> spend_uplift_minor, spend_uplift_percent, visits_uplift;
  // The 95% confidence interval of spend_uplift_minor (Welch's t interval:
  // unequal variances, Student's t at the Welch-Satterthwaite degrees of
  // freedom, rounded down); nullopt while either group has fewer than 2
  // customers. An interval that contains 0 does not show the offer works.
  std::optional<double> spend_uplift_ci95_low_minor, spend_uplift_ci95_high_minor;
};

// Student's t quantile for a two-sided 95% interval at `df` degrees of
// freedom (rounded down; at least 1).
double StudentT975(double df);

struct OffersReport {
  uint64_t customers = 0;
  int64_t discounts_minor = 0;  // given by all offers together
  int64_t offers_issued = 0;    // all offers, also those no longer in the rules
  int64_t offers_redeemed = 0;
  std::vector<OfferRow> offers;  // the rules' offers, in file order
};

class OffersTally {
 public:
  explicit OffersTally(const RuleSet& rules);
  void Add(const CustomerState& state);
  OffersReport Finish() const;

 private:
  OffersReport report_;
  std::map<std::string, std::size_t> index_;  // offer id -> row
};

}  // namespace loyalty::report
