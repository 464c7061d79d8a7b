#include "engine/offers.h"

#include <algorithm>
#include <cstdio>

#include "engine/calendar.h"
#include "engine/fnv.h"
#include "engine/money.h"

namespace loyalty {
namespace {

// Uses of offers no longer in the catalog are forgotten this long after their
// last issue (their counts live on in the offers report until then).
constexpr TimeMs kForgetRetiredOffersMs = 400 * kMsPerDay;

const OfferUse* FindUse(const CustomerState& s, const std::string& offer_id) {
  for (const OfferUse& u : s.offer_uses) {
    if (u.offer_id == offer_id) return &u;
  }
  return nullptr;
}

OfferUse& UseOf(CustomerState& s, const std::string& offer_id, bool holdout) {
  for (OfferUse& u : s.offer_uses) {
    if (u.offer_id == offer_id) return u;
  }
  OfferUse& u = s.offer_uses.emplace_back();
  u.offer_id = offer_id;
  u.holdout = holdout;
  return u;
}

// Issued within its valid_days (holdout records count as issued for their
// own cadence).
bool Active(const OfferUse* u, const Offer& o, TimeMs now_ms) {
  return u != nullptr && u->last_issued_ms > 0 &&
         now_ms < u->last_issued_ms + int64_t{o.valid_days} * kMsPerDay;
}

bool Held(const OfferUse* u, const Offer& o, TimeMs now_ms) {
  return Active(u, o, now_ms) && !u->holdout;
}

// Inside its issue window, or inside the early-access days before it for a
// customer whose tier has that benefit (then *early is set).
bool IsOpen(const Offer& o, const CustomerState& s, const RuleSet& rules, TimeMs now_ms,
            bool* early) {
  *early = false;
  if (o.to_ms != 0 && now_ms >= o.to_ms) return false;
  if (o.from_ms == 0 || now_ms >= o.from_ms) return true;
  const Tier* tier = rules.FindTier(s.tier);
  if (o.early_access_days > 0 && tier != nullptr && tier->early_access &&
      now_ms >= o.from_ms - int64_t{o.early_access_days} * kMsPerDay) {
    *early = true;
    return true;
  }
  return false;
}

bool CapReached(const OfferUse* u, const Offer& o) {
  return o.cap_per_customer > 0 && u != nullptr && u->redeemed >= o.cap_per_customer;
}

bool BudgetLeft(const Offer& o, const BudgetDraws& budgets) {
  if (o.budget_redemptions == 0) return true;
  return budgets.Left(OfferBudgetId(o), o.budget_redemptions) > 0;
}

bool OnTopCategory(const Offer& o, const Signals& g) {
  if (g.top_categories.empty()) return false;
  if (o.reward_top_category) return true;
  for (const std::string& c : o.reward_categories) {
    if (std::find(g.top_categories.begin(), g.top_categories.end(), c) != g.top_categories.end())
      return true;
  }
  return false;
}

std::string DayText(TimeMs ms, int32_t offset_minutes) {
  const CivilDay d = CivilFromDays(LocalDayNumber(ms, offset_minutes));
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
  return buf;
}

}  // namespace

std::string OfferBudgetId(const Offer& offer) { return "offer:" + offer.id; }

bool InHoldout(const std::string& customer_id, const Offer& offer) {
  if (offer.holdout_permille <= 0) return false;
  Fnv f;
  f.Str(customer_id);
  f.Str(offer.id);
  return static_cast<int32_t>(f.value() % 1000) < offer.holdout_permille;
}

bool MarketingAllowed(const CustomerState& s, const RuleSet& rules) {
  return s.marketing_consent == Consent::kGranted ||
         (s.marketing_consent == Consent::kUnknown && !rules.program.marketing_consent_required);
}

OfferChoice ChooseOffers(const CustomerState& s, const Signals& g, const RuleSet& rules,
                         TimeMs now_ms, const BudgetDraws& budgets, const Signals* arrived) {
  OfferChoice choice;
  // Without consent: no offer, and no holdout record either (not in the test).
  if (!MarketingAllowed(s, rules)) return choice;
  std::vector<const Offer*> candidates;
  for (const Offer& o : rules.offers) {
    const OfferUse* use = FindUse(s, o.id);
    if (CapReached(use, o) || !BudgetLeft(o, budgets)) continue;
    bool early = false;
    const bool open = IsOpen(o, s, rules, now_ms, &early) &&
                      (Matches(o.target, s, g) || (arrived && Matches(o.target, s, *arrived)));
    if (!open && !Held(use, o, now_ms)) continue;
    if (InHoldout(s.customer_id, o)) {
      choice.held_out.push_back(&o);
    } else {
      candidates.push_back(&o);
    }
  }
  std::stable_sort(candidates.begin(), candidates.end(), [&](const Offer* a, const Offer* b) {
    if (a->priority != b->priority) return a->priority > b->priority;
    return OnTopCategory(*a, g) && !OnTopCategory(*b, g);
  });
  const auto k = std::min<std::size_t>(candidates.size(), rules.offers_shown_max);
  choice.shown.assign(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(k));
  return choice;
}

std::vector<OfferShown> ShowOffers(const CustomerState& s, const OfferChoice& choice,
                                   const RuleSet& rules, TimeMs now_ms) {
  std::vector<OfferShown> shown;
  for (const Offer* o : choice.shown) {
    const OfferUse* use = FindUse(s, o->id);
    const TimeMs issued = Held(use, *o, now_ms) ? use->last_issued_ms : now_ms;
    bool early = false;
    IsOpen(*o, s, rules, now_ms, &early);
    shown.push_back({o->id, o->name.empty() ? o->id : o->name,
                     RewardText(*o, rules.program.currency),
                     issued + int64_t{o->valid_days} * kMsPerDay, early});
  }
  return shown;
}

void IssueOffers(CustomerState& s, const OfferChoice& choice, const RuleSet& rules, TimeMs now_ms) {
  std::erase_if(s.offer_uses, [&](const OfferUse& u) {
    return rules.FindOffer(u.offer_id) == nullptr &&
           u.last_issued_ms + kForgetRetiredOffersMs < now_ms;
  });
  auto issue = [&](const Offer* o, bool holdout) {
    OfferUse& u = UseOf(s, o->id, holdout);
    if (Active(&u, *o, now_ms)) return;  // still running from an earlier issue
    if (u.first_issued_ms == 0) u.first_issued_ms = now_ms;
    u.last_issued_ms = now_ms;
    u.issued += 1;
    if (!holdout) s.offers_issued += 1;
  };
  for (const Offer* o : choice.shown) issue(o, false);
  for (const Offer* o : choice.held_out) issue(o, true);
}

std::optional<std::string> WhyNotRedeemable(const CustomerState& s, const Signals& g,
                                            const RuleSet& rules, const Offer& o, const Line& line,
                                            TimeMs now_ms) {
  const OfferUse* use = FindUse(s, o.id);
  const std::string name = "offer " + o.id;
  if (InHoldout(s.customer_id, o)) return name + " is not available to this customer";
  if (CapReached(use, o)) {
    return name + " was already used " + std::to_string(use->redeemed) +
           (use->redeemed == 1 ? " time" : " times") + ", the most one customer may";
  }
  if (!Held(use, o, now_ms)) {
    bool early = false;
    if (!IsOpen(o, s, rules, now_ms, &early)) {
      const int32_t offset = rules.program.utc_offset_minutes;
      if (o.to_ms != 0 && now_ms >= o.to_ms) {
        return name + " ended on " + DayText(o.to_ms - 1, offset);
      }
      return name + " starts on " + DayText(o.from_ms, offset);
    }
    if (!Matches(o.target, s, g)) return name + " is not meant for this customer";
  }
  if (o.reward_top_category || !o.reward_categories.empty()) {
    const bool listed = std::find(o.reward_categories.begin(), o.reward_categories.end(),
                                  line.category) != o.reward_categories.end();
    const bool top = o.reward_top_category &&
                     std::find(g.top_categories.begin(), g.top_categories.end(), line.category) !=
                         g.top_categories.end();
    if (!listed && !top) {
      return name + " does not apply to category '" + line.category + "' (" +
             RewardText(o, rules.program.currency) + ")";
    }
  }
  return std::nullopt;
}

void RecordRedemption(CustomerState& s, const Offer& o, TimeMs now_ms) {
  OfferUse& u = UseOf(s, o.id, false);
  if (!Active(&u, o, now_ms)) {
    if (u.first_issued_ms == 0) u.first_issued_ms = now_ms;
    u.last_issued_ms = now_ms;
    u.issued += 1;
    s.offers_issued += 1;
  }
  u.redeemed += 1;
}

OfferApplied RewardOf(const Offer& o, const Line& line, int32_t line_index) {
  OfferApplied a;
  a.offer_id = o.id;
  a.line = line_index;
  switch (o.reward) {
    case OfferReward::kDiscountPercent:
      a.discount_minor = line.line_total_minor * o.reward_value / 1000;
      break;
    case OfferReward::kDiscountMinor:
      a.discount_minor = std::min(o.reward_value, line.line_total_minor);
      break;
    case OfferReward::kBonusPoints: a.points = o.reward_value; break;
  }
  return a;
}

std::string RewardText(const Offer& o, const std::string& currency) {
  std::string where;
  if (o.reward_top_category) where = " your favourite categories";
  for (const std::string& c : o.reward_categories) {
    where += (where.empty() ? " " : ", ") + c;
  }
  switch (o.reward) {
    case OfferReward::kDiscountPercent: {
      std::string pct = std::to_string(o.reward_value / 10);
      if (o.reward_value % 10 != 0) pct += "." + std::to_string(o.reward_value % 10);
      return pct + "% off" + where;
    }
    case OfferReward::kDiscountMinor: {
      const auto exponent = CurrencyExponent(currency);
      return FormatMinor(o.reward_value, exponent ? *exponent : 2) + " " + currency + " off" +
             where;
    }
    case OfferReward::kBonusPoints:
      return std::to_string(o.reward_value) + " bonus points" + (where.empty() ? "" : " on") +
             where;
  }
  return "";
}

}  // namespace loyalty
