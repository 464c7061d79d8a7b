// CustomerState: everything the engine knows about one customer, the unit a
// shard reads, decides on and writes back whole.
//
// Invariants (checked by CheckState and by `loyalty check`):
//   - every lot has points > 0 and earned_at <= spendable_from <= expires_at
//     (expires_at == 0 means never);
//   - balance() == sum of the customer's ledger entries;
//   - version grows by exactly one per stored change.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/event.h"
#include "engine/status.h"

namespace loyalty {

// A parcel of points earned on one day (UTC). Spent and expired in whole or
// part. All dates are midnights (UTC).
struct Lot {
  int64_t points = 0;                 // remaining in this lot, > 0
  TimeMs earned_at_ms = 0;            // the day the points were earned
  TimeMs spendable_from_ms = 0;       // pending until then
  TimeMs expires_at_ms = 0;           // 0: never expires
  std::string source_transaction_id;  // the first purchase of the day
  bool noticed = false;  // the "points expiring soon" notice went out (program.expiry.notice_days)
  friend bool operator==(const Lot&, const Lot&) = default;
};

// Spend and purchases in one calendar month (UTC), for rolling 12-month tier
// qualification and the behaviour profile. `month` = year * 12 + (month - 1).
struct MonthStat {
  int32_t month = 0;
  int64_t spend_minor = 0;  // net of returns of purchases made that month
  int32_t visits = 0;
  friend bool operator==(const MonthStat&, const MonthStat&) = default;
};
inline constexpr std::size_t kMonthsKept = 13;

// How often an earn rule with a cap has applied to this customer.
struct RuleUse {
  std::string rule_id;
  int32_t total = 0;
  TimeMs day_ms = 0;  // local day of the last use
  int32_t day_count = 0;
  int32_t year = 0;  // local year of the last use
  int32_t year_count = 0;
  friend bool operator==(const RuleUse&, const RuleUse&) = default;
};

// Affinity to one category, brand or store: spend there (minor units),
// halved every `affinity.half_life_days`, as of CustomerState::affinity_at_ms.
struct Affinity {
  std::string key;
  int64_t weight = 0;
  friend bool operator==(const Affinity&, const Affinity&) = default;
};
inline constexpr std::size_t kAffinitiesKept = 8;  // per kind, heaviest first

// One offer of the catalog as it concerns this customer (offers.h).
struct OfferUse {
  std::string offer_id;
  bool holdout = false;        // in the offer's holdout group: never shown it
  TimeMs first_issued_ms = 0;  // first issue (holdout: when it would have been)
  TimeMs last_issued_ms = 0;   // latest issue; redeemable for valid_days after it
  int32_t issued = 0;          // times issued (holdout: would have been)
  int32_t redeemed = 0;
  int64_t spend_since_minor = 0;  // purchases since the first issue, for uplift
  int32_t visits_since = 0;
  friend bool operator==(const OfferUse&, const OfferUse&) = default;
};

// The customer's answer to marketing (personalised offers, marketing events):
// kept with when and where it was given, which a controller must be able to
// show (GDPR art. 7). Unknown: never asked (rules: program.marketing_consent
// says whether that allows marketing).
enum class Consent : uint8_t { kUnknown = 0, kGranted = 1, kRefused = 2 };
const char* ConsentName(Consent consent);  // "unknown", "granted", "refused"

struct CustomerState {
  std::string customer_id;
  std::vector<std::string> cards;
  TimeMs enrolled_at_ms = 0;
  std::optional<Date> birthday;
  uint64_t version = 0;          // 1 after enrolment, +1 per stored change
  uint64_t next_ledger_seq = 1;  // sequence of the next ledger entry
  std::vector<Lot> lots;         // ordered by expires_at (never-expiring last)
  int64_t debt_points = 0;       // points owed after a return beyond balance
  int64_t lifetime_points = 0;   // all points ever earned, net of reversals
  std::string tier;
  TimeMs tier_since_ms = 0;      // when the current tier was reached
  TimeMs tier_review_at_ms = 0;  // no downgrade before this (plus grace); 0 = none
  // Behaviour (profile.h keeps it current inside every decision).
  int64_t visits = 0;       // purchases
  int64_t spend_minor = 0;  // net of returns
  TimeMs first_purchase_ms = 0;
  TimeMs last_purchase_ms = 0;
  std::vector<MonthStat> months;     // oldest first, at most kMonthsKept
  std::vector<RuleUse> rule_uses;    // capped rules only
  int64_t gross_spend_minor = 0;     // all purchases, before returns
  int64_t items = 0;                 // units bought (basket size = items / visits)
  int64_t returns = 0;               // return events
  int64_t returned_minor = 0;        // money given back by returns
  int64_t redemptions = 0;           // redemptions (and purchases paid with points), net of cancels
  int64_t redeemed_points = 0;       // net of cancellations and refunds
  int64_t redeemed_minor = 0;        // the discounts those points bought
  int64_t offer_discount_minor = 0;  // discounts given by offers
  int64_t offers_issued = 0;
  int64_t offers_redeemed = 0;
  TimeMs affinity_at_ms = 0;                // the time the affinity weights are as of
  std::vector<Affinity> category_affinity;  // heaviest first, at most kAffinitiesKept
  std::vector<Affinity> brand_affinity;
  std::vector<Affinity> store_affinity;
  int32_t nps_score = -1;  // the latest Feedback score, -1 = none
  TimeMs nps_at_ms = 0;
  std::string nps_store;    // where it was given
  std::string nps_comment;  // the latest comment, if any
  int64_t feedbacks = 0;
  std::vector<OfferUse> offer_uses;  // offers issued (or held out), by first issue
  Consent marketing_consent = Consent::kUnknown;
  TimeMs consent_at_ms = 0;    // when it was given or withdrawn (server time)
  std::string consent_source;  // where: "enrolment", "register S1/R2", "web-form", ...
  // The last purchase after which the churn risk reached churn.alert_at and
  // the CRM was told (once per lapse: a new purchase starts a new one).
  TimeMs churn_alerted_after_ms = 0;
  // The card the customer's events are routed by (the runtime's shard): the
  // first card, kept when that card is replaced or more are linked, so a
  // customer never changes shard. Empty in records older than the field:
  // then the first of `cards`. Cleared by erasure.
  std::string route_card;
  // Merged into this customer (their cards, points and history went there).
  std::string merged_into;
  // The lifecycle stage (rules.h Lifecycle) as of the last stored change or
  // sweep, so the outbox can say when it moves; 0: not yet known (records
  // older than the field: set silently by the next change).
  uint8_t lifecycle_stage = 0;

  int64_t balance() const;  // sum of lots minus debt
  friend bool operator==(const CustomerState&, const CustomerState&) = default;
};

// The card `s`'s events are routed by (route_card; else the first card).
inline const std::string& RouteCard(const CustomerState& s) {
  static const std::string kNone;
  if (!s.route_card.empty()) return s.route_card;
  return s.cards.empty() ? kNone : s.cards.front();
}

inline bool HoldsCard(const CustomerState& s, std::string_view card) {
  return std::find(s.cards.begin(), s.cards.end(), card) != s.cards.end();
}

// Since when the customer has been a member: enrolment, or their first
// purchase when that is earlier (a card enrolled by a backdated purchase
// before enrolment took the sale's time). Tenure counts from here.
inline TimeMs MemberSinceMs(const CustomerState& s) {
  return s.first_purchase_ms > 0 && s.first_purchase_ms < s.enrolled_at_ms ? s.first_purchase_ms
                                                                           : s.enrolled_at_ms;
}

// Balances as of `now_ms`, without changing the state.
struct Balances {
  int64_t balance = 0;    // spendable + pending - debt
  int64_t spendable = 0;  // can be redeemed now
  int64_t pending = 0;    // earned, inside the return window
  int64_t lifetime = 0;
  friend bool operator==(const Balances&, const Balances&) = default;
};
Balances BalancesAt(const CustomerState& state, TimeMs now_ms);

// The soonest expiry after `now_ms` among the lots (0 points / 0 ms when
// none expire).
struct NextExpiry {
  int64_t points = 0;
  TimeMs at_ms = 0;
  friend bool operator==(const NextExpiry&, const NextExpiry&) = default;
};
NextExpiry NextExpiryOf(const CustomerState& state, TimeMs now_ms);

// Structural invariants that need no ledger; describes the first broken one.
Status CheckState(const CustomerState& state);

// How a card number is shown to someone who did not type it (a lookup's
// other cards, a cashier's screen, a log): "4242424242424242" ->
// "************4242". The last 4 stay visible (half of a card of 8 or
// fewer). ASCII '*', not a bullet: a till's display, a log and a CSV export
// all show it.
std::string MaskCard(std::string_view card);

}  // namespace loyalty
