// Transaction-id retention (DESIGN.md §6): a transaction record older than
// the retention period is dropped when RocksDB next compacts the table that
// holds it, so the transaction ids a chain's registers send do not grow the
// disk for ever. A record is kept at least `retention_ms` after it was
// stored (the server's "now" then, which is the event clock under
// `--clock event`); a retry after that is decided afresh, and a return of a
// purchase that old follows the rules' unknown_original policy.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>

#include "engine/event.h"

namespace rocksdb {
class CompactionFilter;
}  // namespace rocksdb

namespace loyalty {

struct TxnRetention {
  int64_t retention_ms = 90 * kMsPerDay;  // 0: keep every record
  std::function<TimeMs()> clock;          // the server's now; unset: the system clock
};

// The compaction filter for the txns column family. Counts what it dropped.
std::unique_ptr<rocksdb::CompactionFilter> MakeTxnRetentionFilter(
    TxnRetention retention, std::shared_ptr<std::atomic<uint64_t>> pruned);

}  // namespace loyalty
