// Decision: the core's answer to one event, and the writes it implies.
//
// Business refusals ("not enough points", "unknown card") are Outcome codes,
// not errors: the register shows them, nothing is written, and for a
// state-changing event the refusal is stored under its transaction id so a
// retry gets the same answer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/customer_state.h"
#include "engine/ledger.h"

namespace loyalty {

enum class Outcome : uint8_t {
  kApplied = 1,
  kAlreadyEnrolled = 2,
  kUnknownCard = 3,
  kDuplicateDifferentPayload = 4,
  kInsufficientPoints = 5,
  kBelowMinimumRedemption = 6,
  kExceedsBasketShare = 7,
  kUnknownOriginal = 8,         // a return names a purchase the engine never saw
  kOriginalNotReturnable = 9,   // the original is not a purchase of this card
  kReturnExceedsPurchase = 10,  // more of a line than was bought (or left)
  kAlreadyCancelled = 11,       // a redemption cancelled before
  kNotCancellable = 12,         // the original is not a redemption by this card
  kOfferNotAvailable = 13,      // a line redeems an offer this customer cannot use now
  // A purchase would earn more than program.limits.points_per_event_max.
  // Travels as an INVALID_FIELD error, like kUnknownCard: nothing is written.
  kPointsPerEventOverMax = 14,
};
const char* OutcomeName(Outcome outcome);
// Refusals that travel as errors and write nothing (no record under the
// transaction id): the rest are decisions, stored and replayed.
inline bool TravelsAsError(Outcome outcome) {
  return outcome == Outcome::kUnknownCard || outcome == Outcome::kDuplicateDifferentPayload ||
         outcome == Outcome::kPointsPerEventOverMax;
}

struct RuleAward {
  std::string rule_id;
  int64_t points = 0;
  friend bool operator==(const RuleAward&, const RuleAward&) = default;
};

// An offer returned to the register: shown at a lookup, issued (and printed
// on the receipt) by a purchase decision (offers.h).
struct OfferShown {
  std::string offer_id;
  std::string name;
  std::string reward;         // e.g. "10% off school", "5.00 EUR off", "200 bonus points"
  TimeMs valid_until_ms = 0;  // redeemable until then
  bool early_access = false;  // shown before its start date, as a tier benefit
  friend bool operator==(const OfferShown&, const OfferShown&) = default;
};

// An offer a basket line redeemed, and what it gave.
struct OfferApplied {
  std::string offer_id;
  int32_t line = 0;  // index in the basket
  int64_t discount_minor = 0;
  int64_t points = 0;
  friend bool operator==(const OfferApplied&, const OfferApplied&) = default;
};

struct Decision {
  Outcome outcome = Outcome::kApplied;
  std::string message;  // one human sentence for refusals
  std::string customer_id;
  std::string transaction_id;
  int64_t points_earned = 0;
  int64_t points_spent = 0;
  int64_t points_reversed = 0;       // taken back by a return
  int64_t points_refunded = 0;       // spent points given back by a return
  int64_t discount_minor = 0;        // Redeem: the discount the points buy
  std::vector<RuleAward> awards;     // why: points per rule
  std::vector<int64_t> line_points;  // Purchase: points per basket line
  Balances balances;
  std::string tier;
  std::string previous_tier;  // set when this event changed the tier
  uint32_t rules_version = 0;
  NextExpiry next_expiry;
  std::vector<OfferShown> offers;            // Purchase: issued for next time, best first
  std::vector<OfferApplied> offers_applied;  // Purchase: redeemed by its lines
  int64_t offer_discount_minor = 0;          // Purchase: sum of the offers' discounts
  uint8_t lifecycle = 0;                     // the customer's stage after the event (Lifecycle)
  friend bool operator==(const Decision&, const Decision&) = default;
};

// One line of a stored transaction, kept so returns reverse exactly what the
// line earned and refuse returning it twice.
struct TxnLine {
  std::string sku;
  int64_t quantity = 0;
  int64_t line_total_minor = 0;
  int64_t points = 0;
  int64_t returned_quantity = 0;
  int64_t points_reversed = 0;
  friend bool operator==(const TxnLine&, const TxnLine&) = default;
};

// Points a redemption took from one lot, kept so a cancellation (or the
// return of a basket paid with points) restores them with their own dates.
struct SpentSlice {
  int64_t points = 0;
  TimeMs earned_at_ms = 0;
  TimeMs spendable_from_ms = 0;
  TimeMs expires_at_ms = 0;
  std::string source_transaction_id;
  bool noticed = false;  // its lot's expiring-soon notice went out: given back, not sent again
  friend bool operator==(const SpentSlice&, const SpentSlice&) = default;
};

// What is stored under a transaction id: enough to replay the reply and to
// check a later payload and a later return against it.
struct TxnRecord {
  std::string transaction_id;
  uint64_t fingerprint = 0;
  EventKind kind = EventKind::kPurchase;
  Outcome outcome = Outcome::kApplied;
  std::string customer_id;
  TimeMs event_time_ms = 0;
  std::vector<TxnLine> lines;
  int64_t points_spent = 0;       // Redeem, or a purchase paid partly with points
  std::string reply;              // the encoded reply, opaque to the core: replayed byte for byte
  std::vector<SpentSlice> spent;  // where points_spent came from
  int64_t points_refunded = 0;    // given back so far (cancellation, returns)
  bool cancelled = false;         // Redeem: cancelled
  std::string store_id;           // where the event happened (the register's store)
  friend bool operator==(const TxnRecord&, const TxnRecord&) = default;
};

}  // namespace loyalty
