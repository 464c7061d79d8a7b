// Key layout of the loyalty database. One RocksDB database, one column family
// per kind of record; values are loyalty.store.v1 messages (proto/store.proto).
//
//   column family  key                                     value
//   -------------  --------------------------------------  -----------------------
//   customers      customer_id (raw bytes)                  store.v1.Customer
//   cards          card (raw bytes)                         customer_id (raw bytes)
//   cards          0x01 "retired:" 16 hex digits            "" (a replaced or erased
//                                                           card: RetiredCardKey)
//   txns           transaction_id (raw bytes)               store.v1.Txn
//   ledger         u8 len | customer_id | u64 seq (BE)      store.v1.LedgerEntry
//   budgets        rule id | 0x00 | shard (decimal)         points that shard awarded (decimal)
//   meta           "schema_version"                         decimal kSchemaVersion
//   meta           "ruleset/" + 10-digit version            store.v1.RuleSetVersion
//   meta           "audit/" + 20-digit sequence             store.v1.AuditEntry
//   meta           "rfm/quantiles"                          store.v1.RfmQuantiles
//   meta           "store_id"                               32 hex digits (schema 2)
//   meta           "backup/last"                            the last verified backup:
//                                                           key=value lines (backup.cc)
//
// The ledger key sorts a customer's entries together, in sequence order, and
// the length prefix keeps "ab"+seq from colliding with "a"+"b..."; ids are at
// most limits::kIdBytesMax (64) bytes, so one length byte suffices.
//
// Contract: changing a layout is a schema change (store_codec::kSchemaVersion).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/status.h"

namespace loyalty::store_keys {

inline constexpr const char* kCustomers = "customers";
inline constexpr const char* kCards = "cards";
inline constexpr const char* kTxns = "txns";
inline constexpr const char* kLedger = "ledger";
inline constexpr const char* kBudgets = "budgets";
inline constexpr const char* kMeta = "meta";
inline constexpr const char* kSchemaVersionKey = "schema_version";
inline constexpr const char* kRuleSetPrefix = "ruleset/";
inline constexpr const char* kAuditPrefix = "audit/";
// The outbox (engine/outbox.h): "outbox/" + 20-digit sequence -> the
// CloudEvents (JSON) of one committed batch, as a JSON text sequence (RFC
// 7464: 0x1E, an event, 0x0A each); a value not starting with 0x1E is one
// event's JSON alone (records from before batches shared one: still read).
// Delivered ones are deleted. Given up on: "outbox-dead/" + the same
// sequence -> "tries at_ms error" 0x0A, then the record's value.
inline constexpr const char* kOutboxPrefix = "outbox/";
inline constexpr const char* kDeadLetterPrefix = "outbox-dead/";
inline constexpr const char* kRfmQuantilesKey = "rfm/quantiles";
inline constexpr const char* kStoreIdKey = "store_id";
inline constexpr const char* kLastBackupKey = "backup/last";
// --clock event: the latest event time seen, kept at a clean stop.
inline constexpr const char* kEventClockKey = "clock/event_ms";
// The primaries of a replicated group and where each began (replica.h).
inline constexpr const char* kTenuresKey = "replication/tenures";

// Zero-padded decimal, so key order is number order and keys read well in
// `ldb scan`.
std::string RuleSetKey(uint32_t version);
std::string AuditKey(uint64_t seq);
std::string OutboxKey(uint64_t seq);
std::string DeadLetterKey(uint64_t seq);

// A retired card's key: a 64-bit FNV-1a of the store's salt and the card,
// never the number (an erased customer's card must not stay readable). It
// starts with 0x01, which no card (printable ASCII) does.
std::string RetiredCardKey(std::string_view salt, std::string_view card);

// Precondition: customer_id is 1..255 bytes.
std::string LedgerKey(std::string_view customer_id, uint64_t seq);
// The prefix every ledger key of the customer starts with.
std::string LedgerPrefix(std::string_view customer_id);

struct LedgerKeyParts {
  std::string customer_id;
  uint64_t seq = 0;
};
Result<LedgerKeyParts> ParseLedgerKey(std::string_view key);

}  // namespace loyalty::store_keys
