// The stored-state encoding: core values <-> bytes in RocksDB, through
// loyalty/v1/store.proto. Decoders return kCorruption with what failed to
// parse; they never abort on bad bytes.
#pragma once

#include <string>
#include <string_view>

#include "engine/decision.h"
#include "engine/status.h"

namespace loyalty::store_codec {

// Bump when a stored format changes in a way old code cannot read; the store
// refuses to open a database written by a newer schema.
inline constexpr uint32_t kSchemaVersion = 2;  // history: adapters/rocksdb/schema.h

std::string EncodeCustomer(const CustomerState& state);
Result<CustomerState> DecodeCustomer(std::string_view bytes);

// The ledger key carries customer id and seq; the value carries the rest.
std::string EncodeLedgerEntry(const LedgerEntry& entry);
Result<LedgerEntry> DecodeLedgerEntry(std::string_view bytes, std::string customer_id,
                                      uint64_t seq);

std::string EncodeTxn(const TxnRecord& txn, TimeMs stored_at_ms);
// Sets *stored_at_ms when not null.
Result<TxnRecord> DecodeTxn(std::string_view bytes, std::string transaction_id,
                            TimeMs* stored_at_ms = nullptr);

}  // namespace loyalty::store_codec
