// A customer whose every behaviour field differs from its default, so a
// round trip through a stored or wire format shows a field left out.
#pragma once

#include "engine/customer_state.h"

namespace loyalty::testing {

// Distinct values, so two fields swapped by a codec show too.
inline void SetEveryProfileField(CustomerState& s) {
  s.gross_spend_minor = 20001;
  s.items = 17;
  s.returns = 2;
  s.returned_minor = 3003;
  s.redemptions = 4;
  s.redeemed_points = 505;
  s.redeemed_minor = 606;
  s.offer_discount_minor = 707;
  s.offers_issued = 8;
  s.offers_redeemed = 3;
  s.affinity_at_ms = 1'767'225'600'009;
  s.category_affinity = {{"school", 900}, {"garden", 80}};
  s.brand_affinity = {{"acme", 70}};
  s.store_affinity = {{"S-1", 60}, {"S-2", 50}, {"S-3", 40}};
  s.nps_score = 0;  // a real score, not "none": the codec must keep it apart from -1
  s.nps_at_ms = 1'767'225'600'011;
  s.nps_store = "S-2";
  s.nps_comment = "queue too long; staff kind";
  s.feedbacks = 12;
  s.offer_uses = {{"welcome10", false, 1'767'225'600'013, 1'767'225'600'014, 2, 1, 15016, 3},
                  {"winback", true, 1'767'225'600'017, 1'767'225'600'018, 1, 0, 19, 1}};
  s.marketing_consent = Consent::kRefused;
  s.consent_at_ms = 1'767'225'600'020;
  s.consent_source = "web-form";
  s.churn_alerted_after_ms = 1'767'225'600'021;
  s.route_card = "route-card-22";
  s.merged_into = "merged-into-23";
  s.lifecycle_stage = 4;                       // Lifecycle::kAccount
  for (Lot& lot : s.lots) lot.noticed = true;  // the expiring-soon notice went out
}

}  // namespace loyalty::testing
