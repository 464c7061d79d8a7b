// A customer's ledger statement as JSON (GET /v1/customers/{card}/ledger):
// what a support agent reads to explain a balance. Every entry with its date
// and time in the program's time zone, what kind of change it was, the
// points, the balance after it, the event that caused it (purchase, return,
// redemption... with the store and the money, when the transaction record is
// still kept) and the rule or reason. Beside it: balances, tier and its
// review date, and every lot (pending until, expires on).
//
// Points that have expired but that the sweep has not booked yet (it runs
// hourly) show as a first entry marked "unbooked", so the statement's newest
// balance is always the balance a lookup shows.
//
// Money stays in minor units with the currency; every time in ms has an ISO
// 8601 twin with the program's offset (`..._at`) and its day (`..._date`).
// Pure: no I/O.
#pragma once

#include <nlohmann/json.hpp>

#include "adapters/rocksdb/store.h"
#include "engine/rules.h"

namespace loyalty {

// Precondition: page.state has a value.
nlohmann::json StatementJson(const LedgerPage& page, const RuleSet& rules, TimeMs now_ms);

}  // namespace loyalty
