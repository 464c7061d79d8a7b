// Small builders for core events in tests, so a test reads as its story.
#pragma once

#include <string>
#include <vector>

#include "engine/event.h"

namespace loyalty::testing {

inline constexpr TimeMs kT0 = 1'767'225'600'000;  // 2026-01-01T00:00:00Z

inline Line L(std::string sku, int64_t qty, int64_t unit_minor, std::string category = "general") {
  return Line{std::move(sku), std::move(category), "", qty, unit_minor, qty * unit_minor};
}

inline Event Purchase(std::string txn, std::string card, std::vector<Line> lines, TimeMs at = kT0) {
  Event e;
  e.kind = EventKind::kPurchase;
  e.transaction_id = std::move(txn);
  e.card = std::move(card);
  e.store_id = "S1";
  e.register_id = "R1";
  e.event_time_ms = at;
  e.currency = "EUR";
  e.lines = std::move(lines);
  return e;
}

inline Event Return(std::string txn, std::string original, std::string card,
                    std::vector<Line> lines, TimeMs at = kT0) {
  Event e = Purchase(std::move(txn), std::move(card), std::move(lines), at);
  e.kind = EventKind::kReturn;
  e.original_transaction_id = std::move(original);
  return e;
}

inline Event Redeem(std::string txn, std::string card, int64_t points, int64_t basket_minor,
                    TimeMs at = kT0) {
  Event e = Purchase(std::move(txn), std::move(card), {}, at);
  e.kind = EventKind::kRedeem;
  e.points = points;
  e.basket_total_minor = basket_minor;
  return e;
}

inline Event Lookup(std::string card) {
  Event e;
  e.kind = EventKind::kLookup;
  e.card = std::move(card);
  return e;
}

// A second card for the customer of `card` (Enroll.link_to_card on the wire).
inline Event LinkCard(std::string card, std::string new_card) {
  Event e;
  e.kind = EventKind::kLinkCard;
  e.card = std::move(card);
  e.new_card = std::move(new_card);
  return e;
}

// The customer of `merged_card` moves into the customer of `card`.
inline Event Merge(std::string txn, std::string card, std::string merged_card, TimeMs at = kT0) {
  Event e;
  e.kind = EventKind::kMerge;
  e.transaction_id = std::move(txn);
  e.card = std::move(card);
  e.merged_card = std::move(merged_card);
  e.event_time_ms = at;
  e.reason = "ticket-1";
  e.operator_id = "ada";
  return e;
}

}  // namespace loyalty::testing
