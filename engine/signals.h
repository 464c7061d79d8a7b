// Signals: what the engine concludes about a customer from their profile
// (DESIGN.md §8), computed on demand in every decision and lookup; none is
// stored, so a change of thresholds in the rules applies at once.
//
//   lifecycle   the highest rung of the ladder whose thresholds are met
//               (rules.h LifecycleRules);
//   churn risk  0..1000 per mille: 0 until one usual interval after the last
//               purchase, then linear up to 1000 at `lost_after_intervals`
//               intervals. The usual interval is the mean interval between
//               purchases ((last - first) / (purchases - 1)), at least
//               `min_interval_days`; `first_interval_days` for a one-time
//               buyer; customers who never bought have no risk;
//   cost to serve  revenue minus returns, the value of points redeemed and
//               offer discounts given: what the customer is worth;
//   NPS group   promoter (9-10), passive (7-8), detractor (0-6) of the latest
//               score;
//   RFM         scores against the latest population quantiles (rfm.h);
//   segments    the rule set's segments whose conditions hold.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/customer_state.h"
#include "engine/rfm.h"
#include "engine/rules.h"

namespace loyalty {

struct CostToServe {
  int64_t revenue_minor = 0;    // all purchases
  int64_t returns_minor = 0;    // given back by returns
  int64_t redeemed_minor = 0;   // the value of points redeemed (net of cancels)
  int64_t discounts_minor = 0;  // offer discounts
  int64_t net_minor = 0;        // revenue - returns - redeemed - discounts
  friend bool operator==(const CostToServe&, const CostToServe&) = default;
};
CostToServe CostToServeOf(const CustomerState& state);

struct Signals {
  Lifecycle lifecycle = Lifecycle::kProspect;
  int32_t churn_risk_permille = 0;
  int64_t usual_interval_days = 0;   // 0: no purchase yet
  int64_t mean_interval_days = 0;    // between purchases; 0: fewer than two
  int64_t days_since_purchase = -1;  // -1: never bought
  int64_t tenure_days = 0;           // since enrolment
  int64_t mean_basket_minor = 0;     // gross spend per purchase
  int64_t items_per_basket_x10 = 0;  // units per purchase, in tenths (25 = 2.5)
  int64_t spend_12m_minor = 0;
  int32_t visits_12m = 0;
  NpsGroup nps = NpsGroup::kNone;
  RfmScore rfm;  // {0,0,0} without quantiles
  CostToServe cost;
  std::vector<std::string> top_categories;  // at most 3, heaviest first
  std::vector<std::string> top_stores;      // at most 3
  std::vector<std::string> segments;        // ids, in rule-set order
};

// `rfm` may be null (no quantiles computed yet).
Signals SignalsOf(const CustomerState& state, const RuleSet& rules, TimeMs now_ms,
                  const RfmQuantiles* rfm);

Lifecycle LifecycleOf(const CustomerState& state, const LifecycleRules& rules, TimeMs now_ms);
int32_t ChurnRiskPermille(const CustomerState& state, const ChurnRules& rules, TimeMs now_ms);

// Whether `signals` (of `state`) meet `condition`. Segments named by the
// condition are looked up in signals.segments.
bool Matches(const Condition& condition, const CustomerState& state, const Signals& signals);

// Whether the customer's churn risk reached churn.alert_at at `now_ms` and
// the CRM was not told yet in this lapse (since their last purchase).
bool ChurnAlertDue(const CustomerState& state, const ChurnRules& rules, TimeMs now_ms);
// Whether the customer's lifecycle stage at `now_ms` is no longer the one
// last stored (time moves a stage too: visits leave the 12-month window).
// False while the stored stage is not yet known.
bool LifecycleMoved(const CustomerState& state, const LifecycleRules& rules, TimeMs now_ms);

}  // namespace loyalty
