#include "engine/rules.h"

#include "engine/customer_state.h"
#include "engine/limits.h"
#include "engine/money.h"

namespace loyalty {

const Tier* RuleSet::FindTier(const std::string& id) const {
  for (const Tier& t : tiers) {
    if (t.id == id) return &t;
  }
  return nullptr;
}

const EarnRule* RuleSet::FindRule(const std::string& id) const {
  for (const EarnRule& r : earn_rules) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

const Segment* RuleSet::FindSegment(const std::string& id) const {
  for (const Segment& s : segments) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

const Offer* RuleSet::FindOffer(const std::string& id) const {
  for (const Offer& o : offers) {
    if (o.id == id) return &o;
  }
  return nullptr;
}

namespace {

Status Bad(const std::string& field, const std::string& why) {
  return Status::Invalid(field + ": " + why);
}

Status ValidateCondition(const RuleSet& r, const Condition& c, const std::string& at,
                         bool inside_segment) {
  if (inside_segment && !c.segments.empty()) {
    return Bad(at + ".segment", "a segment cannot be defined by other segments");
  }
  for (const std::string& s : c.segments) {
    if (r.FindSegment(s) == nullptr) return Bad(at + ".segment", "'" + s + "' is not a segment");
  }
  for (const std::string& t : c.tiers) {
    if (r.FindTier(t) == nullptr) return Bad(at + ".tier", "'" + t + "' is not a tier");
  }
  if (c.churn_risk_min_permille < 0 || c.churn_risk_max_permille > 1000 ||
      c.churn_risk_min_permille > c.churn_risk_max_permille) {
    return Bad(at + ".churn_risk", "must be between 0 and 1, min at most max");
  }
  if (c.spend_12m_max_minor && *c.spend_12m_max_minor < c.spend_12m_min_minor) {
    return Bad(at + ".spend_12m_max", "is below spend_12m_min");
  }
  if (c.visits_12m_max && *c.visits_12m_max < c.visits_12m_min) {
    return Bad(at + ".visits_12m_max", "is below visits_12m_min");
  }
  if (c.days_since_purchase_max && *c.days_since_purchase_max < c.days_since_purchase_min) {
    return Bad(at + ".days_since_purchase_max", "is below days_since_purchase_min");
  }
  for (int v : {c.rfm_recency_min, c.rfm_frequency_min, c.rfm_monetary_min}) {
    if (v < 0 || v > 5) return Bad(at + ".rfm", "scores are between 1 and 5");
  }
  return Status::Ok();
}

// Lifecycle thresholds, churn settings, segments and the offer catalog.
Status ValidateKnowing(const RuleSet& r) {
  const LifecycleRules& l = r.lifecycle;
  if (l.buyer_purchases < 2) return Bad("lifecycle.buyer.purchases", "must be at least 2");
  if (l.account_visits_12m < 1 || l.account_categories < 0 ||
      l.account_categories > static_cast<int32_t>(kAffinitiesKept)) {
    return Bad("lifecycle.account", "visits_12m at least 1, categories between 0 and " +
                                        std::to_string(kAffinitiesKept));
  }
  if (l.patron_spend_12m_minor < 0 || l.patron_tenure_days < 0) {
    return Bad("lifecycle.patron", "spend_12m and tenure_days cannot be negative");
  }
  if (l.advocate_nps_min < 0 || l.advocate_nps_min > 10) {
    return Bad("lifecycle.advocate.nps_min", "must be between 0 and 10");
  }
  const ChurnRules& c = r.churn;
  if (c.first_interval_days < 1 || c.min_interval_days < 1) {
    return Bad("churn", "first_interval_days and min_interval_days must be at least 1");
  }
  if (c.lost_after_intervals < 2 || c.lost_after_intervals > 100) {
    return Bad("churn.lost_after_intervals", "must be between 2 and 100");
  }
  if (c.welcome_back_permille < 0 || c.welcome_back_permille > 1000) {
    return Bad("churn.welcome_back_at", "must be between 0 and 1");
  }
  if (c.alert_permille < 0 || c.alert_permille > 1000) {
    return Bad("churn.alert_at", "must be between 0 and 1");
  }
  if (r.affinity_half_life_days < 1 || r.affinity_half_life_days > 3650) {
    return Bad("affinity.half_life_days", "must be between 1 and 3650");
  }
  if (r.offers_shown_max < 0 || r.offers_shown_max > 20) {
    return Bad("program.offers_shown", "must be between 0 and 20");
  }
  for (std::size_t i = 0; i < r.segments.size(); ++i) {
    const Segment& s = r.segments[i];
    const std::string at = "segments[" + std::to_string(i) + "]";
    if (s.id.empty()) return Bad(at + ".id", "every segment needs an id");
    for (std::size_t j = 0; j < i; ++j) {
      if (r.segments[j].id == s.id) return Bad(at + ".id", "'" + s.id + "' is used twice");
    }
    if (Status st = ValidateCondition(r, s.when, at + ".when", true); !st.ok()) return st;
  }
  if (r.segments.size() > limits::kSegmentsMax) {
    return Bad("segments", "at most " + std::to_string(limits::kSegmentsMax) + " segments");
  }
  if (r.offers.size() > limits::kOffersMax) {
    return Bad("offers", "at most " + std::to_string(limits::kOffersMax) + " offers");
  }
  for (std::size_t i = 0; i < r.offers.size(); ++i) {
    const Offer& o = r.offers[i];
    const std::string at = "offers[" + std::to_string(i) + "]";
    if (o.id.empty()) return Bad(at + ".id", "every offer needs an id");
    for (std::size_t j = 0; j < i; ++j) {
      if (r.offers[j].id == o.id) return Bad(at + ".id", "'" + o.id + "' is used twice");
    }
    if (Status st = ValidateCondition(r, o.target, at + ".target", false); !st.ok()) return st;
    const bool percent = o.reward == OfferReward::kDiscountPercent;
    const int64_t most = o.reward == OfferReward::kDiscountMinor ? limits::kLineTotalMinorMax
                                                                 : limits::kBonusPointsMax;
    if (o.reward_value < 1 || (percent && o.reward_value > 1000) || o.reward_value > most) {
      return Bad(at + ".reward", percent ? "discount_percent must be above 0 and at most 100"
                                         : "the reward must be above 0");
    }
    if (o.from_ms != 0 && o.to_ms != 0 && o.from_ms >= o.to_ms) {
      return Bad(at + ".valid", "the range ends before it starts");
    }
    if (o.valid_days < 1 || o.valid_days > 3650) {
      return Bad(at + ".valid_days", "must be between 1 and 3650");
    }
    if (o.early_access_days < 0 || o.early_access_days > 365) {
      return Bad(at + ".early_access_days", "must be between 0 and 365");
    }
    if (o.early_access_days > 0 && o.from_ms == 0) {
      return Bad(at + ".early_access_days", "early access needs a start date (valid.from)");
    }
    if (o.cap_per_customer < 0 || o.budget_redemptions < 0) {
      return Bad(at + ".cap", "caps and budgets cannot be negative");
    }
    if (o.holdout_permille < 0 || o.holdout_permille > 500) {
      return Bad(at + ".holdout_percent", "must be between 0 and 50");
    }
  }
  return Status::Ok();
}

}  // namespace

Status ValidateRuleSet(const RuleSet& r) {
  const ProgramRules& p = r.program;
  auto bad = [](const std::string& field, const std::string& why) {
    return Status::Invalid(field + ": " + why);
  };
  if (!CurrencyExponent(p.currency)) {
    return bad("program.currency", "'" + p.currency + "' is not an ISO 4217 code");
  }
  if (p.points_per_unit_milli < 0 || p.points_per_unit_milli > limits::kPointsPerUnitMilliMax) {
    return bad("program.points_per_unit",
               "must be between 0 and " + std::to_string(limits::kPointsPerUnitMilliMax / 1000));
  }
  if (p.pending_days < 0 || p.pending_days > limits::kPendingDaysMax) {
    return bad("program.pending_days",
               "must be between 0 and " + std::to_string(limits::kPendingDaysMax));
  }
  if (p.expiry_days < 0 || p.expiry_days > limits::kExpiryDaysMax) {
    return bad("program.expiry.days",
               "must be between 0 (never) and " + std::to_string(limits::kExpiryDaysMax));
  }
  if (p.expiry_days != 0 && p.expiry_days < p.pending_days) {
    return bad("program.expiry.days",
               "points would expire before they become spendable "
               "(pending_days is " +
                   std::to_string(p.pending_days) + ")");
  }
  if (p.expiry_notice_days > 0 && p.expiry_policy == ExpiryPolicy::kNever) {
    return bad("program.expiry.notice_days",
               "points never expire (expiry.policy is never): remove notice_days or set 0");
  }
  if (p.point_value_minor < 1 || p.point_value_minor > 1'000'000) {
    return bad("program.redemption.point_value_minor", "must be between 1 and 1000000");
  }
  if (p.min_redeem_points < 0 || p.min_redeem_points > limits::kPointsPerEventMax) {
    return bad("program.redemption.min_points",
               "must be between 0 and " + std::to_string(limits::kPointsPerEventMax));
  }
  if (p.max_share_of_basket_permille < 1 || p.max_share_of_basket_permille > 1000) {
    return bad("program.redemption.max_share_of_basket", "must be above 0 and at most 1");
  }
  if (r.tiers.empty() || r.base_tier != r.tiers.front().id) {
    return bad("tiers", "the first tier is the base tier every customer starts in");
  }
  if (r.tiers.front().invitation_only) {
    return bad("tiers[0].invitation_only", "the base tier cannot be invitation-only");
  }
  const Tier* prev = nullptr;
  for (std::size_t i = 0; i < r.tiers.size(); ++i) {
    const Tier& t = r.tiers[i];
    const std::string at = "tiers[" + std::to_string(i) + "]";
    if (t.id.empty()) return bad(at + ".id", "every tier needs an id");
    for (std::size_t j = 0; j < i; ++j) {
      if (r.tiers[j].id == t.id) return bad(at + ".id", "'" + t.id + "' is used twice");
    }
    if (t.earn_multiplier_milli < 1000 || t.earn_multiplier_milli > limits::kMultiplierMilliMax) {
      return bad(at + ".earn_multiplier",
                 "must be between 1 and " + std::to_string(limits::kMultiplierMilliMax / 1000));
    }
    if (t.invitation_only || i == 0) continue;
    if (prev != nullptr && !AsksMoreThan(t, *prev)) {
      return bad(at + ".qualify", "tier '" + t.id + "' must ask more than tier '" + prev->id +
                                      "' before it (tiers go from lowest to highest)");
    }
    prev = &t;
  }
  for (std::size_t i = 0; i < r.earn_rules.size(); ++i) {
    const EarnRule& e = r.earn_rules[i];
    const std::string at = "earn_rules[" + std::to_string(i) + "]";
    if (e.id.empty()) return bad(at + ".id", "every rule needs an id");
    if (e.id.rfind("offer:", 0) == 0) {
      return bad(at + ".id", "'offer:' starts the names of offers' budgets and awards");
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (r.earn_rules[j].id == e.id) return bad(at + ".id", "'" + e.id + "' is used twice");
    }
    const int effects = (e.multiplier_milli > 0) + (e.points_per_item > 0) + (e.bonus_points > 0);
    if (effects != 1) {
      return bad(at, "a rule has exactly one of multiplier, points_per_item, bonus_points");
    }
    if (e.multiplier_milli > 0 &&
        (e.multiplier_milli <= 1000 || e.multiplier_milli > limits::kMultiplierMilliMax)) {
      return bad(at + ".multiplier", "must be above 1 and at most " +
                                         std::to_string(limits::kMultiplierMilliMax / 1000));
    }
    if (e.trigger == Trigger::kEnroll && (e.bonus_points == 0 || e.HasLineConditions())) {
      return bad(at, "an enrolment rule gives bonus_points and has no line conditions");
    }
    if (e.from_ms != 0 && e.to_ms != 0 && e.from_ms >= e.to_ms) {
      return bad(at + ".when.date", "the range ends before it starts");
    }
    for (const std::string& t : e.tiers) {
      if (r.FindTier(t) == nullptr) return bad(at + ".when.tier", "'" + t + "' is not a tier");
    }
    for (const std::string& s : e.segments) {
      if (r.FindSegment(s) == nullptr) {
        return bad(at + ".when.segment", "'" + s + "' is not a segment");
      }
    }
  }
  return ValidateKnowing(r);
}

}  // namespace loyalty
