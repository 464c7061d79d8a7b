// RuleSet: an immutable, validated snapshot of the marketing rules. Shards
// share one through a shared_ptr<const RuleSet>; publishing a new version is
// swapping that pointer.
//
// The shape follows DESIGN.md §7: the program (base rate, ledger, returns,
// redemption), tiers, and earn rules. Amount-like settings are integers
// (milli-points, milli-multipliers, per-mille shares, minor units) so every
// decision is exact.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/event.h"
#include "engine/limits.h"
#include "engine/status.h"

namespace loyalty {

enum class Rounding : uint8_t { kFloor = 1, kNearest = 2, kCeil = 3 };
// What a basket partly paid with points earns on: the money paid (each line
// earns on its share of it) or the whole basket as if points were money.
enum class EarnOn : uint8_t { kMoneyPaid = 1, kWholeBasket = 2 };
enum class ReturnPolicy : uint8_t {
  kWithinBalance = 1,  // reverse what the balance allows; forgive the rest
  kAllowNegative = 2,  // reverse all; the customer owes points (debt)
  kOnlyPending = 3,    // reverse only points still pending; spendable ones stay
};
// A return that names a purchase the engine never saw.
enum class UnknownOriginalPolicy : uint8_t {
  kRefuse = 1,         // answer UNKNOWN_ORIGINAL, change nothing
  kReverseAtBase = 2,  // take back the base points the lines would earn now
};
enum class ExpiryPolicy : uint8_t {
  kNever = 0,
  kRolling = 1,     // `expiry_days` full days after the day earned
  kEndOfMonth = 2,  // at the end of the month, `expiry_months` after earning
  kEndOfYear = 3,   // at the end of the year, `expiry_years` after earning
};

// What a host refuses whatever the other rules say (rules file
// `program.limits`): beyond any of them an event is refused with
// INVALID_FIELD naming the field, never applied. Bounded by engine/limits.h.
struct ProgramLimits {
  // A purchase's basket (sum of line totals) and a redemption's basket.
  int64_t basket_total_max_minor = limits::kBasketTotalMinorDefaultMax;
  // Points one event earns (purchase), spends (redeem, redeem_points) or
  // moves (adjust).
  int64_t points_per_event_max = limits::kPointsPerEventDefaultMax;
  // How many days before the server clock an event time may be (offline tills).
  int32_t event_age_max_days = limits::kEventAgeDaysDefaultMax;
};

struct ProgramRules {
  std::string currency = "EUR";
  int64_t points_per_unit_milli = 1000;  // points per major unit, x1000
  Rounding rounding = Rounding::kFloor;
  EarnOn earn_on = EarnOn::kMoneyPaid;  // base and multipliers; bonuses are not money
  std::vector<std::string> exclude_categories;
  std::vector<std::string> exclude_skus;
  // Known categories; when not empty, every category a rule names must be
  // one of them (a typo in a rule would otherwise silently match nothing).
  std::vector<std::string> categories;
  int32_t pending_days = 0;  // return window before points are spendable
  ExpiryPolicy expiry_policy = ExpiryPolicy::kRolling;
  int32_t expiry_days = 365;   // kRolling
  int32_t expiry_months = 12;  // kEndOfMonth: 0 = end of the month earned
  int32_t expiry_years = 1;    // kEndOfYear: 0 = end of the year earned
  // The sweep tells the customer (loyalty.points.expiring, once per lot) this
  // many days before a lot expires; 0: never.
  int32_t expiry_notice_days = 0;
  ReturnPolicy return_policy = ReturnPolicy::kWithinBalance;
  UnknownOriginalPolicy unknown_original = UnknownOriginalPolicy::kRefuse;
  int64_t point_value_minor = 1;  // discount one point buys
  int64_t min_redeem_points = 0;
  int32_t max_share_of_basket_permille = 1000;  // 500 = half the basket
  // The chain's clock for days of week, hours and birthdays (minutes east of
  // UTC; +60 for CET). Ledger days (lots) stay in UTC.
  int32_t utc_offset_minutes = 0;
  // Whether a customer who was never asked (Consent::kUnknown) may get
  // personalised offers and marketing events: false ("assumed") by default;
  // a chain under the GDPR sets program.marketing_consent: required. A
  // customer who said no never gets them.
  bool marketing_consent_required = false;
  // Feedback comments (free text: may name people, carry complaints) are
  // dropped by the sweep this many days after they were given; the score
  // stays. 0: kept until the customer is erased.
  int32_t comment_retention_days = 365;
  ProgramLimits limits;
};

struct Tier {
  std::string id;
  std::string name;
  int64_t spend_12m_minor = 0;   // qualify: spend over the last 12 months, 0 = not asked
  int32_t visits_12m = 0;        // qualify: purchases over the last 12 months, 0 = not asked
  bool invitation_only = false;  // only by a manual adjustment (set_tier)
  int64_t earn_multiplier_milli = 1000;  // x base points (1500 = 1.5x)
  bool early_access = false;             // benefit: sees early-access offers
  int64_t birthday_gift_points = 0;  // benefit: points on the first purchase of the birthday week
};

// Tiers go from lowest to highest: each asks at least as much spend and as
// many visits as the one before, and more of one of them.
inline bool AsksMoreThan(const Tier& higher, const Tier& lower) {
  return higher.spend_12m_minor >= lower.spend_12m_minor && higher.visits_12m >= lower.visits_12m &&
         (higher.spend_12m_minor > lower.spend_12m_minor || higher.visits_12m > lower.visits_12m);
}

// When a tier is reviewed: an upgrade is at once; a customer who no longer
// qualifies keeps the tier until `review_months` after it was reached (or
// last confirmed) plus `grace_days`.
struct TierPolicy {
  int32_t review_months = 12;
  int32_t grace_days = 0;
};

// --- Knowing the customer (DESIGN.md §8) ---------------------------------

// The lifecycle ladder, lowest first. A customer is on the highest rung whose
// thresholds they meet (signals.h).
enum class Lifecycle : uint8_t {
  kProspect = 1,  // enrolled, never bought
  kTester = 2,    // one purchase
  kBuyer = 3,     // repeat, occasional
  kAccount = 4,   // regular and broad: visits and categories over 12 months
  kPatron = 5,    // top value and long tenure
  kAdvocate = 6,  // an account or patron who recommends the shop (NPS)
};
inline constexpr int kLifecycleStages = 6;
const char* LifecycleName(Lifecycle stage);

struct LifecycleRules {
  int32_t buyer_purchases = 2;     // purchases ever
  int32_t account_visits_12m = 6;  // purchases over the last 12 months
  int32_t account_categories = 3;  // distinct categories bought (decayed affinity kept)
  int64_t patron_spend_12m_minor = 100000;
  int32_t patron_tenure_days = 365;  // since the first purchase
  int32_t advocate_nps_min = 9;      // latest Feedback score at least this
};

// Churn risk: how late the customer is against their own usual interval
// between purchases. 0 up to one usual interval after the last purchase,
// rising linearly to 1 at `lost_after_intervals` intervals.
struct ChurnRules {
  int32_t first_interval_days = 60;     // the "usual interval" of a one-time buyer
  int32_t min_interval_days = 7;        // a usual interval is never taken as shorter
  int32_t lost_after_intervals = 3;     // > 1
  int32_t welcome_back_permille = 500;  // the greeting says "welcome back" from this risk
  // The sweep tells the CRM (loyalty.churn.risk_crossed, once per lapse) when
  // a customer's risk reaches this: the win-back trigger. 0: never.
  int32_t alert_permille = 0;
};

enum class NpsGroup : uint8_t { kNone = 0, kDetractor = 1, kPassive = 2, kPromoter = 3 };
const char* NpsGroupName(NpsGroup group);
inline NpsGroup NpsGroupOf(int32_t score) {
  if (score < 0) return NpsGroup::kNone;
  return score >= 9 ? NpsGroup::kPromoter : score >= 7 ? NpsGroup::kPassive : NpsGroup::kDetractor;
}

// A condition over a customer's profile and signals, as of the event (before
// it changes anything). Every given part must hold; lists mean "any of".
// Used by segments, offers (target) and, through segments, earn rules.
struct Condition {
  std::vector<std::string> segments;  // in any of these segments (not inside a segment)
  std::vector<Lifecycle> lifecycle;
  std::vector<std::string> tiers;
  int32_t churn_risk_min_permille = 0;
  int32_t churn_risk_max_permille = 1000;
  int64_t spend_12m_min_minor = 0;
  std::optional<int64_t> spend_12m_max_minor;
  int32_t visits_12m_min = 0;
  std::optional<int32_t> visits_12m_max;
  int32_t days_since_purchase_min = 0;  // customers who never bought do not match a min > 0
  std::optional<int32_t> days_since_purchase_max;
  int32_t tenure_days_min = 0;              // since enrolment
  std::vector<std::string> top_categories;  // among the customer's top 3 categories
  std::vector<std::string> top_stores;      // among the top 3 stores
  std::vector<NpsGroup> nps;                // the latest score's group (kNone: no score)
  std::vector<std::string> rfm_segments;    // rfm.h names; no scores yet = no match
  int32_t rfm_recency_min = 0, rfm_frequency_min = 0, rfm_monetary_min = 0;  // 1..5
  int64_t value_min_minor = 0;  // cost to serve: net value at least this (0 = not asked)
};

// A named condition a marketer can use in earn rules and offers.
struct Segment {
  std::string id;
  std::string name;
  Condition when;
};

enum class OfferReward : uint8_t {
  kDiscountPercent = 1,  // off the line that redeems it (value: per mille)
  kDiscountMinor = 2,    // a fixed amount off that line, at most its total
  kBonusPoints = 3,      // points, attributed to that line
};

// A personalized offer (offers.h). Issued in purchase decisions, shown in
// lookups, redeemed by a basket line that names it.
struct Offer {
  std::string id;
  std::string name;  // what the cashier and the receipt say
  Condition target;
  OfferReward reward = OfferReward::kDiscountPercent;
  int64_t reward_value = 0;
  std::vector<std::string> reward_categories;  // lines it may be redeemed on; empty = any
  bool reward_top_category = false;            // ... or on the customer's favourite category
  TimeMs from_ms = 0;  // issued within [from, to): local midnights, 0 = open
  TimeMs to_ms = 0;
  int32_t early_access_days = 0;   // tiers with early_access get it this many days before `from`
  int32_t valid_days = 14;         // redeemable this long after it was issued
  int32_t cap_per_customer = 0;    // redemptions per customer, 0 = no cap
  int64_t budget_redemptions = 0;  // all customers together, 0 = no budget
  int32_t holdout_permille = 0;    // customers who never get it (measured against)
  int32_t priority = 0;            // higher first; file order breaks ties
};

enum class Trigger : uint8_t { kPurchase = 1, kEnroll = 2 };
enum class BirthdayWindow : uint8_t { kNone = 0, kDay = 1, kWeek = 2, kMonth = 3 };

// An earn rule: conditions (`when`), one effect, limits and stacking.
// Line effects (multiplier, points_per_item) apply to the basket lines the
// conditions select; a bonus applies once to the basket and is attributed to
// its eligible lines in proportion to their totals (so returns take it back
// in proportion).
struct EarnRule {
  std::string id;
  std::string name;
  Trigger trigger = Trigger::kPurchase;
  // --- when (all given conditions must hold) ---
  std::vector<std::string> categories;  // line: any of these categories
  std::vector<std::string> skus;        // line: any of these SKUs
  std::vector<std::string> brands;      // line: any of these brands
  std::vector<std::string> stores;      // the sale's store
  std::vector<std::string> tiers;       // the customer's tier
  TimeMs from_ms = 0;                   // date range [from, to): local midnights, 0 = open
  TimeMs to_ms = 0;
  uint8_t days_mask = 0x7f;  // bit 0 = Monday ... bit 6 = Sunday, local time
  int32_t minute_from = 0;   // local time of day window [from, to), minutes
  int32_t minute_to = 24 * 60;
  int64_t basket_total_min_minor = 0;  // eligible basket total at least this
  int32_t visit_every = 0;             // every Nth purchase of the customer
  BirthdayWindow birthday = BirthdayWindow::kNone;
  std::vector<std::string> segments;  // the customer is in any of these segments
  // --- effect (exactly one) ---
  int64_t multiplier_milli = 0;  // line: x base points (3000 = triple points)
  int64_t points_per_item = 0;   // line: fixed points per unit
  int64_t bonus_points = 0;      // basket: flat bonus
  // --- limits ---
  int32_t cap_per_day = 0;       // times per customer per day, 0 = no cap
  int32_t cap_per_year = 0;      // times per customer per calendar year
  int32_t cap_per_customer = 0;  // times per customer, ever (the campaign)
  int64_t budget_points = 0;     // all customers together, 0 = no budget
  // --- stacking ---
  bool exclusive = false;  // applies only where no other rule has, then stops lower ones
  int32_t priority = 0;    // higher first; file order breaks ties

  bool IsLineRule() const { return multiplier_milli > 0 || points_per_item > 0; }
  bool HasLineConditions() const { return !categories.empty() || !skus.empty() || !brands.empty(); }
};

struct RuleSet {
  uint32_t version = 1;
  std::string name = "default";
  ProgramRules program;
  std::string base_tier = "member";  // tiers.front().id
  std::vector<Tier> tiers = {Tier{"member", "Member"}};
  TierPolicy tier_policy;
  std::vector<EarnRule> earn_rules;  // in evaluation order (priority, then file order)
  LifecycleRules lifecycle;
  ChurnRules churn;
  int32_t affinity_half_life_days = 90;
  std::vector<Segment> segments;
  std::vector<Offer> offers;     // in file order
  int32_t offers_shown_max = 3;  // K: offers per purchase decision and lookup

  const Tier* FindTier(const std::string& id) const;
  const EarnRule* FindRule(const std::string& id) const;
  const Segment* FindSegment(const std::string& id) const;
  const Offer* FindOffer(const std::string& id) const;
};

// Checks value ranges and consistency; the message names the field.
Status ValidateRuleSet(const RuleSet& rules);

}  // namespace loyalty
