// AuditLog: every mutation made through the admin side (rule uploads,
// activations, point adjustments), who made it, when, and the rule-set
// version before and after. Kept in the meta column family under
// "audit/" + the sequence number (key_codec.h); entries are never changed.
//
// An entry is written in the same RocksDB batch as the change it records
// (Stage), so there is no change without its entry, nor an entry without
// its change.
//
// Thread safety: all methods from any thread; sequence numbers are handed
// out under a mutex.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

#include "adapters/rocksdb/store.h"
#include "loyalty/v1/admin_store.pb.h"

namespace loyalty {

class AuditLog {
 public:
  // Reads the last sequence number.
  static Result<std::unique_ptr<AuditLog>> Open(Store& store);

  // Gives `entry` the next sequence number and returns its record, to be put
  // in the batch of the change it describes.
  Store::MetaRecord Stage(store::v1::AuditEntry& entry);
  // Writes `entry` alone.
  Status Append(store::v1::AuditEntry entry);
  // Newest first: at most `limit` entries with a sequence below `before_seq`
  // (0: from the newest) that `keep` keeps (none: all), looking at no more
  // than `examined_max` entries below `before_seq`.
  using Filter = std::function<bool(const store::v1::AuditEntry&)>;
  Result<std::vector<store::v1::AuditEntry>> List(std::size_t limit, uint64_t before_seq,
                                                  const Filter& keep = {},
                                                  std::size_t examined_max = SIZE_MAX) const;

  Store& store() { return store_; }

 private:
  AuditLog(Store& store, uint64_t last_seq) : store_(store), last_seq_(last_seq) {}
  Store& store_;
  std::mutex mu_;
  uint64_t last_seq_;
};

}  // namespace loyalty
