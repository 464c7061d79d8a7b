// What store.cc and customer_reads.cc share, private to adapters/rocksdb: the
// column family handles and the conversions between RocksDB's types and ours.
#pragma once

#include <rocksdb/db.h>

#include <atomic>
#include <string>
#include <string_view>

#include "adapters/rocksdb/store.h"

namespace loyalty {

struct WriteSet::Handles {
  rocksdb::ColumnFamilyHandle* customers = nullptr;
  rocksdb::ColumnFamilyHandle* cards = nullptr;
  rocksdb::ColumnFamilyHandle* txns = nullptr;
  rocksdb::ColumnFamilyHandle* ledger = nullptr;
  rocksdb::ColumnFamilyHandle* budgets = nullptr;
  rocksdb::ColumnFamilyHandle* meta = nullptr;
  mutable std::atomic<uint64_t> outbox_seq{0};  // the last outbox sequence given (outbox.cc)
};

namespace store_internal {

inline Status FromRocks(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return Status::Ok();
  if (s.IsCorruption()) return Status::Corruption(what + ": " + s.ToString());
  return Status::IoError(what + ": " + s.ToString());
}

inline rocksdb::Slice AsSlice(std::string_view v) { return {v.data(), v.size()}; }
inline std::string_view AsView(const rocksdb::Slice& s) { return {s.data(), s.size()}; }

}  // namespace store_internal
}  // namespace loyalty
