// Event: what a register (or the CLI) asks the engine to do, as the core sees
// it. The wire adapter builds Events from protobuf; the core never sees bytes.
//
// Times are milliseconds since the Unix epoch, UTC. Amounts are minor units of
// `currency`. An Event is validated (validate.h) before Decide sees it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace loyalty {

using TimeMs = int64_t;
inline constexpr TimeMs kMsPerDay = 24LL * 60 * 60 * 1000;

enum class EventKind : uint8_t {
  kEnroll = 1,
  kPurchase = 2,
  kReturn = 3,
  kRedeem = 4,
  kLookup = 5,
  kAdjust = 6,        // manual points correction by an operator, with a reason
  kCancelRedeem = 7,  // gives a redemption's points back, original expiry kept
  kFeedback = 8,      // the customer's NPS score (0-10) and an optional comment
  kConsent = 9,       // the customer's yes or no to marketing, with where it was given
  kReplaceCard = 10,  // a lost card: its balance and history move to a new card, the old is refused
  kErase = 11,        // GDPR erasure: personal data removed, the ledger kept under a pseudonym
  kLinkCard = 12,     // a second card for the customer of `card` (Enroll with link_to_card)
  kMerge = 13,        // two customers become one: merged_card's moves into card's
};
const char* EventKindName(EventKind kind);

// A calendar date without a time zone (a birthday).
struct Date {
  int year = 0;   // 0 when unknown (birthdays without a year)
  int month = 0;  // 1..12
  int day = 0;    // 1..31
  friend bool operator==(const Date&, const Date&) = default;
};

// One basket line. line_total_minor is what the customer paid for the line
// after discounts; points are earned on it, not on quantity x unit price.
struct Line {
  std::string sku;
  std::string category;
  std::string brand;
  int64_t quantity = 0;
  int64_t unit_price_minor = 0;
  int64_t line_total_minor = 0;
  std::string offer_id;  // Purchase: this line redeems that offer (offers.h)
  friend bool operator==(const Line&, const Line&) = default;
};

// A flat record: which fields matter depends on `kind` (see validate.h).
struct Event {
  EventKind kind = EventKind::kLookup;
  std::string transaction_id;           // the register's idempotency key
  std::string original_transaction_id;  // Return: the purchase being returned
  std::string card;
  std::string customer_id;  // Enroll: the chain's own id; empty = the card
  std::string store_id;
  std::string register_id;
  TimeMs event_time_ms = 0;  // the register's clock
  std::string currency;
  std::vector<Line> lines;  // Purchase, Return
  // Redeem: points to spend. Purchase: points paying part of this basket
  // (0 = none). Adjust: signed change.
  int64_t points = 0;
  int64_t basket_total_minor = 0;  // Redeem: the basket the points pay for
  std::optional<Date> birthday;    // Enroll
  std::string reason;              // Adjust: reason code (e.g. goodwill, correction)
  std::string operator_id;         // Adjust: who
  std::string set_tier;            // Adjust: move the customer to this tier
  int32_t score = -1;              // Feedback: 0..10 ("how likely to recommend us")
  std::string comment;             // Feedback: optional, free text
  // Consent (required), Enroll (optional): yes or no to marketing
  // (personalised offers, marketing events); absent at enrolment: not asked.
  std::optional<bool> marketing_consent;
  std::string consent_source;  // Consent: where it was given (e.g. web-form); empty: the register
  std::string new_card;        // ReplaceCard: the card that takes over; LinkCard: the one added
  std::string merged_card;     // Merge: a card of the customer who moves into `card`'s
};

// Whether the event changes state and so needs a transaction id.
inline bool IsStateChanging(EventKind kind) {
  return kind == EventKind::kPurchase || kind == EventKind::kReturn || kind == EventKind::kRedeem ||
         kind == EventKind::kAdjust || kind == EventKind::kCancelRedeem ||
         kind == EventKind::kFeedback || kind == EventKind::kConsent ||
         kind == EventKind::kReplaceCard || kind == EventKind::kErase || kind == EventKind::kMerge;
}

// A stable 64-bit fingerprint of the event's payload, every field but the
// event time (a resend may be re-stamped). Same transaction id + different
// fingerprint = a different payload.
uint64_t Fingerprint(const Event& event);

}  // namespace loyalty
