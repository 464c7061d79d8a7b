// Events for the world outside the till (issue 15): what a decision or a
// sweep changed, as CloudEvents 1.0 JSON, derived purely from the state
// before, the state after and the effects. The runtime stages them in the
// same batch as the change (StoreBatch::PutOutbox), so an event exists
// exactly when its change does; a dispatcher delivers them (tools/wiring/
// outbox_dispatcher.h). docs/EVENTS.md "Events out" documents each type.
//
// Ids are stable and unique: a redelivery carries the same id, so a
// receiver de-duplicates by id.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "engine/customer_state.h"
#include "engine/decision.h"
#include "engine/event.h"
#include "engine/ledger.h"
#include "engine/rules.h"
#include "engine/status.h"

namespace loyalty {

// Every type there is, in the order docs/EVENTS.md lists them.
inline constexpr const char* kOutboxTypes[] = {
    "loyalty.customer.enrolled",  "loyalty.points.earned",    "loyalty.points.spent",
    "loyalty.points.reversed",    "loyalty.points.refunded",  "loyalty.points.expired",
    "loyalty.points.adjusted",    "loyalty.tier.changed",     "loyalty.offer.issued",
    "loyalty.offer.redeemed",     "loyalty.consent.changed",  "loyalty.feedback.detractor",
    "loyalty.card.replaced",      "loyalty.customer.erased",  "loyalty.points.expiring",
    "loyalty.churn.risk_crossed", "loyalty.card.linked",      "loyalty.customers.merged",
    "loyalty.points.merged",      "loyalty.lifecycle.changed"};
bool IsOutboxType(std::string_view type);
// Marketing events (an offer issued) go out only for a customer who may get
// marketing (MarketingAllowed, offers.h); the others are the service of the
// account and go out for everyone. Each event says which (`purpose`).
bool IsMarketingType(std::string_view type);
// "all", or types separated by commas (spaces allowed): the set, or an
// error naming the unknown type.
Result<std::set<std::string>> OutboxTypesOf(std::string_view list);

struct OutboxEvent {
  std::string id;
  std::string type;
  std::string customer_id;  // the CloudEvents subject
  TimeMs time_ms = 0;
  const char* purpose = "service";  // or "marketing" (IsMarketingType)
  std::string data;                 // a JSON object's text
};

struct OutboxChange {
  const Event* event = nullptr;           // null for a sweep
  const CustomerState* before = nullptr;  // null: a new customer
  const CustomerState* after = nullptr;   // required
  const Decision* decision = nullptr;     // null for a sweep
  const std::vector<LedgerEntry>* ledger = nullptr;
  const RuleSet* rules = nullptr;  // required
  TimeMs now_ms = 0;
  const CustomerState* merged = nullptr;  // Merge: the customer who moved into `after`, emptied
};

// The events of `change` whose type is in `wanted` (empty: none), in the
// order they happened.
std::vector<OutboxEvent> OutboxEventsOf(const OutboxChange& change,
                                        const std::set<std::string>& wanted);

// One CloudEvents 1.0 structured-mode JSON object, with the extension
// attribute `purpose`; `source` names the engine ("/loyaltyd/<store id>").
std::string CloudEventJson(const OutboxEvent& event, std::string_view source);

// "2026-11-28T20:14:03.120Z"
std::string Rfc3339Utc(TimeMs ms);
// `text` as a JSON string literal, quotes included (control characters and
// DEL as \u00XX: also a YAML double-quoted scalar).
std::string JsonQuoted(std::string_view text);

}  // namespace loyalty
