#include "engine/profile.h"

#include <algorithm>
#include <cmath>

#include "engine/tiers.h"

namespace loyalty {

void DecayAffinities(std::vector<Affinity>& weights, TimeMs from_ms, TimeMs to_ms,
                     int32_t half_life_days) {
  if (to_ms <= from_ms || weights.empty()) return;
  const double halvings =
      static_cast<double>(to_ms - from_ms) / (static_cast<double>(half_life_days) * kMsPerDay);
  // Factor in millionths, so every weight is scaled by the same integer.
  const auto factor = static_cast<int64_t>(std::llround(1e6 * std::exp2(-halvings)));
  for (Affinity& a : weights)
    a.weight = a.weight / 1'000'000 * factor + a.weight % 1'000'000 * factor / 1'000'000;
  std::erase_if(weights, [](const Affinity& a) { return a.weight <= 0; });
}

void AddAffinity(std::vector<Affinity>& weights, const std::string& key, int64_t weight) {
  if (weight <= 0 || key.empty()) return;
  auto it =
      std::find_if(weights.begin(), weights.end(), [&](const Affinity& a) { return a.key == key; });
  if (it != weights.end()) {
    it->weight += weight;
  } else if (weights.size() < kAffinitiesKept) {
    weights.push_back({key, weight});
    it = weights.end() - 1;
  } else if (weights.back().weight < weight) {
    weights.back() = {key, weight};
    it = weights.end() - 1;
  } else {
    return;
  }
  // Heaviest first; equal weights by key, so the order never depends on
  // history. Only `it` grew: it moves up to its place (a basket line does
  // this twice, so no sort and no buffer per line). A decay may have made two
  // weights equal out of key order: then the whole list is sorted.
  const auto before = [](const Affinity& a, const Affinity& b) {
    return a.weight != b.weight ? a.weight > b.weight : a.key < b.key;
  };
  for (; it != weights.begin() && before(*it, *(it - 1)); --it) std::iter_swap(it, it - 1);
  if (!std::is_sorted(weights.begin(), weights.end(), before)) {
    std::sort(weights.begin(), weights.end(), before);
  }
}

void ProfilePurchase(CustomerState& s, const Event& e, const RuleSet& rules) {
  int64_t basket = 0, items = 0;
  for (const Line& l : e.lines) {
    basket += l.line_total_minor;
    items += l.quantity;
  }
  CountPurchase(s, e.event_time_ms, basket);
  s.visits += 1;
  s.spend_minor += basket;
  s.gross_spend_minor += basket;
  s.items += items;
  if (s.first_purchase_ms == 0 || e.event_time_ms < s.first_purchase_ms) {
    s.first_purchase_ms = e.event_time_ms;
  }
  s.last_purchase_ms = std::max(s.last_purchase_ms, e.event_time_ms);

  // A late event (older than the weights) adds at today's scale: decay
  // never runs backwards.
  if (e.event_time_ms > s.affinity_at_ms) {
    const int32_t hl = rules.affinity_half_life_days;
    DecayAffinities(s.category_affinity, s.affinity_at_ms, e.event_time_ms, hl);
    DecayAffinities(s.brand_affinity, s.affinity_at_ms, e.event_time_ms, hl);
    DecayAffinities(s.store_affinity, s.affinity_at_ms, e.event_time_ms, hl);
    s.affinity_at_ms = e.event_time_ms;
  }
  for (const Line& l : e.lines) {
    AddAffinity(s.category_affinity, l.category, l.line_total_minor);
    AddAffinity(s.brand_affinity, l.brand, l.line_total_minor);
  }
  AddAffinity(s.store_affinity, e.store_id, basket);
  for (OfferUse& u : s.offer_uses) {
    if (u.first_issued_ms == 0 || u.first_issued_ms > e.event_time_ms) continue;
    u.spend_since_minor += basket;
    u.visits_since += 1;
  }
}

void ProfileReturn(CustomerState& s, int64_t refund_minor, TimeMs purchased_at_ms) {
  s.returns += 1;
  s.returned_minor += refund_minor;
  s.spend_minor -= refund_minor;
  CountReturn(s, purchased_at_ms, refund_minor);
}

void ProfileRedemption(CustomerState& s, int64_t points, int64_t minor, int count) {
  s.redemptions += count;
  s.redeemed_points += points;
  s.redeemed_minor += minor;
}

void ProfileFeedback(CustomerState& s, const Event& e) {
  s.feedbacks += 1;
  if (e.event_time_ms >= s.nps_at_ms) {
    s.nps_score = e.score;
    s.nps_at_ms = e.event_time_ms;
    s.nps_store = e.store_id;
    s.nps_comment = e.comment;
  }
}

void ProfileConsent(CustomerState& s, const Event& e, TimeMs now_ms) {
  if (!e.marketing_consent) return;
  s.marketing_consent = *e.marketing_consent ? Consent::kGranted : Consent::kRefused;
  s.consent_at_ms = now_ms;
  if (!e.consent_source.empty()) {
    s.consent_source = e.consent_source;
  } else if (e.kind == EventKind::kEnroll) {
    s.consent_source = "enrolment";
  } else {
    s.consent_source =
        "register " + e.store_id + (e.register_id.empty() ? "" : "/" + e.register_id);
  }
}

}  // namespace loyalty
