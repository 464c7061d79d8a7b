// What the store's files (store.cc, store_health.cc, customer_reads.cc, backup.cc...) share,
// private to adapters/rocksdb: the column family handles and the conversions between RocksDB's
// types and ours.
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/slice_transform.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

#include "adapters/rocksdb/store.h"

namespace loyalty {

// A ledger key's customer part (key_codec.h LedgerPrefix: the length byte
// and the id), the ledger family's memtable insert hint.
std::shared_ptr<const rocksdb::SliceTransform> LedgerCustomerTransform();

struct WriteSet::Handles {
  rocksdb::ColumnFamilyHandle* customers = nullptr;
  rocksdb::ColumnFamilyHandle* cards = nullptr;
  rocksdb::ColumnFamilyHandle* txns = nullptr;
  rocksdb::ColumnFamilyHandle* ledger = nullptr;
  rocksdb::ColumnFamilyHandle* budgets = nullptr;
  rocksdb::ColumnFamilyHandle* meta = nullptr;
  // The outbox's sequence (outbox.cc): the last one given, and those given
  // to batches not yet committed or dropped. Below the lowest of these, every
  // event there is committed and no new one will appear: the dispatcher reads
  // up to there, in order, from where it stopped.
  mutable std::mutex outbox_mu;
  mutable std::atomic<uint64_t> outbox_seq{0};
  mutable std::set<uint64_t> outbox_in_flight;  // guarded by outbox_mu
  // Held by a commit with an erasure from its reading of the outbox to its
  // write, and by DeadLetterOutbox likewise: a record given up on is moved
  // as it is on disk, with or without the erased customer's events, never
  // as a copy read before the erasure.
  mutable std::mutex outbox_erasure_mu;
  // Salts the retired cards' hashes (RetiredCardKey): the store's id.
  std::string card_salt;
};

namespace store_internal {

inline Status FromRocks(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return Status::Ok();
  if (s.IsCorruption()) return Status::Corruption(what + ": " + s.ToString());
  return Status::IoError(what + ": " + s.ToString());
}

// The wall clock, ms since the epoch (health and backup records).
inline int64_t WallMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

inline rocksdb::Slice AsSlice(std::string_view v) { return {v.data(), v.size()}; }

// An outbox record's value (outbox.cc, key_codec.h): its events as a JSON
// text sequence (RFC 7464: 0x1E, the event's JSON, 0x0A each).
void AppendOutboxEvent(std::string& record, std::string_view event_json);
inline std::string_view AsView(const rocksdb::Slice& s) { return {s.data(), s.size()}; }

}  // namespace store_internal
}  // namespace loyalty
