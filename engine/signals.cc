#include "engine/signals.h"

#include <algorithm>

#include "engine/tiers.h"

namespace loyalty {
namespace {

std::vector<std::string> TopKeys(const std::vector<Affinity>& weights, std::size_t n) {
  std::vector<std::string> keys;
  for (std::size_t i = 0; i < weights.size() && i < n; ++i) keys.push_back(weights[i].key);
  return keys;
}

template <typename T>
bool AnyOf(const std::vector<T>& wanted, const std::vector<T>& have) {
  for (const T& w : wanted) {
    if (std::find(have.begin(), have.end(), w) != have.end()) return true;
  }
  return false;
}

template <typename T>
bool Contains(const std::vector<T>& list, const T& v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

int64_t MeanIntervalMs(const CustomerState& s) {
  if (s.visits < 2 || s.last_purchase_ms <= s.first_purchase_ms) return 0;
  return (s.last_purchase_ms - s.first_purchase_ms) / (s.visits - 1);
}

// The customer's usual interval between purchases (ChurnRules); 0 when they
// never bought.
int64_t UsualIntervalMs(const CustomerState& s, const ChurnRules& r) {
  if (s.visits <= 0) return 0;
  const int64_t usual =
      s.visits >= 2 ? MeanIntervalMs(s) : int64_t{r.first_interval_days} * kMsPerDay;
  return std::max(usual, int64_t{r.min_interval_days} * kMsPerDay);
}

}  // namespace

CostToServe CostToServeOf(const CustomerState& s) {
  CostToServe c;
  c.revenue_minor = s.gross_spend_minor;
  c.returns_minor = s.returned_minor;
  c.redeemed_minor = s.redeemed_minor;
  c.discounts_minor = s.offer_discount_minor;
  c.net_minor = c.revenue_minor - c.returns_minor - c.redeemed_minor - c.discounts_minor;
  return c;
}

Lifecycle LifecycleOf(const CustomerState& s, const LifecycleRules& r, TimeMs now_ms) {
  if (s.visits <= 0) return Lifecycle::kProspect;
  if (s.visits < r.buyer_purchases) return Lifecycle::kTester;
  const Window12 w = Last12Months(s, now_ms);
  const bool account = w.visits >= r.account_visits_12m &&
                       s.category_affinity.size() >= static_cast<std::size_t>(r.account_categories);
  const bool patron = w.spend_minor >= r.patron_spend_12m_minor && s.first_purchase_ms > 0 &&
                      now_ms - s.first_purchase_ms >= int64_t{r.patron_tenure_days} * kMsPerDay;
  if ((account || patron) && s.nps_score >= r.advocate_nps_min) return Lifecycle::kAdvocate;
  if (patron) return Lifecycle::kPatron;
  if (account) return Lifecycle::kAccount;
  return Lifecycle::kBuyer;
}

int32_t ChurnRiskPermille(const CustomerState& s, const ChurnRules& r, TimeMs now_ms) {
  if (s.visits <= 0 || s.last_purchase_ms == 0 || now_ms <= s.last_purchase_ms) return 0;
  const int64_t usual = UsualIntervalMs(s, r);
  const int64_t late = now_ms - s.last_purchase_ms - usual;
  if (late <= 0) return 0;
  const int64_t full = usual * (r.lost_after_intervals - 1);
  return late >= full ? 1000 : static_cast<int32_t>(late * 1000 / full);
}

bool ChurnAlertDue(const CustomerState& s, const ChurnRules& r, TimeMs now_ms) {
  return r.alert_permille > 0 && s.last_purchase_ms > 0 &&
         s.churn_alerted_after_ms != s.last_purchase_ms &&
         ChurnRiskPermille(s, r, now_ms) >= r.alert_permille;
}

bool LifecycleMoved(const CustomerState& s, const LifecycleRules& r, TimeMs now_ms) {
  return s.lifecycle_stage != 0 &&
         static_cast<uint8_t>(LifecycleOf(s, r, now_ms)) != s.lifecycle_stage;
}

Signals SignalsOf(const CustomerState& s, const RuleSet& rules, TimeMs now_ms,
                  const RfmQuantiles* rfm) {
  Signals g;
  g.lifecycle = LifecycleOf(s, rules.lifecycle, now_ms);
  g.churn_risk_permille = ChurnRiskPermille(s, rules.churn, now_ms);
  g.mean_interval_days = MeanIntervalMs(s) / kMsPerDay;
  if (s.visits > 0) {
    g.usual_interval_days = UsualIntervalMs(s, rules.churn) / kMsPerDay;
    g.days_since_purchase = std::max<int64_t>(0, now_ms - s.last_purchase_ms) / kMsPerDay;
  }
  g.tenure_days = std::max<int64_t>(0, now_ms - MemberSinceMs(s)) / kMsPerDay;
  if (s.visits > 0) {
    g.mean_basket_minor = s.gross_spend_minor / s.visits;
    g.items_per_basket_x10 = s.items * 10 / s.visits;
  }
  const Window12 w = Last12Months(s, now_ms);
  g.spend_12m_minor = w.spend_minor;
  g.visits_12m = static_cast<int32_t>(w.visits);
  g.nps = NpsGroupOf(s.nps_score);
  if (rfm != nullptr) g.rfm = ScoreRfm(*rfm, RfmInputOf(s), now_ms);
  g.cost = CostToServeOf(s);
  g.top_categories = TopKeys(s.category_affinity, 3);
  g.top_stores = TopKeys(s.store_affinity, 3);
  for (const Segment& seg : rules.segments) {
    if (Matches(seg.when, s, g)) g.segments.push_back(seg.id);
  }
  return g;
}

bool Matches(const Condition& c, const CustomerState& s, const Signals& g) {
  if (!c.segments.empty() && !AnyOf(c.segments, g.segments)) return false;
  if (!c.lifecycle.empty() && !Contains(c.lifecycle, g.lifecycle)) return false;
  if (!c.tiers.empty() && !Contains(c.tiers, s.tier)) return false;
  if (g.churn_risk_permille < c.churn_risk_min_permille ||
      g.churn_risk_permille > c.churn_risk_max_permille) {
    return false;
  }
  if (g.spend_12m_minor < c.spend_12m_min_minor) return false;
  if (c.spend_12m_max_minor && g.spend_12m_minor > *c.spend_12m_max_minor) return false;
  if (g.visits_12m < c.visits_12m_min) return false;
  if (c.visits_12m_max && g.visits_12m > *c.visits_12m_max) return false;
  if (c.days_since_purchase_min > 0 &&
      (g.days_since_purchase < 0 || g.days_since_purchase < c.days_since_purchase_min)) {
    return false;
  }
  if (c.days_since_purchase_max &&
      (g.days_since_purchase < 0 || g.days_since_purchase > *c.days_since_purchase_max)) {
    return false;
  }
  if (g.tenure_days < c.tenure_days_min) return false;
  if (!c.top_categories.empty() && !AnyOf(c.top_categories, g.top_categories)) return false;
  if (!c.top_stores.empty() && !AnyOf(c.top_stores, g.top_stores)) return false;
  if (!c.nps.empty() && !Contains(c.nps, g.nps)) return false;
  if (!c.rfm_segments.empty() && !Contains(c.rfm_segments, std::string(RfmSegmentOf(g.rfm)))) {
    return false;
  }
  if (g.rfm.recency < c.rfm_recency_min || g.rfm.frequency < c.rfm_frequency_min ||
      g.rfm.monetary < c.rfm_monetary_min) {
    return false;
  }
  if (c.value_min_minor != 0 && g.cost.net_minor < c.value_min_minor) return false;
  return true;
}

}  // namespace loyalty
