// What the engine knows about a customer, on the wire: offers and signals
// (loyalty.v1 Offer, Signals), shared by decisions and profiles.
#include "engine/rfm.h"
#include "proto/wire_codec.h"

namespace loyalty::wire {
namespace {

// Signals carries no brands yet; the profile's brand affinity is kept
// heaviest first, so its first keys are the top brands, as many as the top
// categories signals.h keeps.
constexpr std::size_t kTopBrandsShown = 3;

v1::CostToServe EncodeCost(const CostToServe& c) {
  v1::CostToServe out;
  out.set_revenue_minor(c.revenue_minor);
  out.set_returns_minor(c.returns_minor);
  out.set_redeemed_minor(c.redeemed_minor);
  out.set_discounts_minor(c.discounts_minor);
  out.set_net_minor(c.net_minor);
  return out;
}

}  // namespace

void EncodeOffer(const OfferShown& o, v1::Offer* out) {
  out->set_offer_id(o.offer_id);
  out->set_name(o.name);
  out->set_reward(o.reward);
  out->set_valid_until_ms(o.valid_until_ms);
  out->set_early_access(o.early_access);
}

v1::Signals EncodeSignals(const Signals& g, const CustomerState& s) {
  v1::Signals out;
  out.set_lifecycle(static_cast<v1::Lifecycle>(g.lifecycle));
  out.set_churn_risk_permille(g.churn_risk_permille);
  out.set_usual_interval_days(g.usual_interval_days);
  out.set_mean_interval_days(g.mean_interval_days);
  if (g.days_since_purchase >= 0) out.set_days_since_purchase(g.days_since_purchase);
  out.set_tenure_days(g.tenure_days);
  out.set_mean_basket_minor(g.mean_basket_minor);
  out.set_items_per_basket_x10(g.items_per_basket_x10);
  out.set_spend_12m_minor(g.spend_12m_minor);
  out.set_visits_12m(g.visits_12m);
  if (s.nps_score >= 0) out.set_nps_score(s.nps_score);
  out.set_nps_group(static_cast<v1::NpsGroup>(g.nps));
  v1::Rfm* rfm = out.mutable_rfm();
  rfm->set_recency(g.rfm.recency);
  rfm->set_frequency(g.rfm.frequency);
  rfm->set_monetary(g.rfm.monetary);
  rfm->set_segment(RfmSegmentOf(g.rfm));
  *out.mutable_cost_to_serve() = EncodeCost(g.cost);
  for (const std::string& c : g.top_categories) out.add_top_categories(c);
  for (std::size_t i = 0; i < s.brand_affinity.size() && i < kTopBrandsShown; ++i) {
    out.add_top_brands(s.brand_affinity[i].key);
  }
  for (const std::string& c : g.top_stores) out.add_top_stores(c);
  for (const std::string& c : g.segments) out.add_segments(c);
  return out;
}

}  // namespace loyalty::wire
