// ReplicaDb: the store's database as replication sees it, a log of write
// batches numbered by RocksDB's sequence numbers (issue 18, docs/OPERATIONS.md
// "A replicated group").
//
// A primary reads its own log (GetUpdatesSince on the write-ahead log, kept
// for StoreOptions::wal_keep_seconds after it is flushed) and a standby
// applies the same batches in the same order to its copy, which started as a
// checkpoint of the primary. So a batch has the same sequence number on every
// node, and "applied up to N" means the same thing everywhere: Apply refuses
// a batch that does not follow the last one it wrote.
//
// Tenures: each primary, before its first write, appends (epoch, first
// sequence number) to the list kept under store_keys::kTenuresKey, and that
// write is replicated like any other. A node's history is the list and its
// latest sequence number; two histories agree up to N when their tenures
// agree below N, which is how a primary tells a standby that wrote batches
// nobody else has (a deposed primary) to start again from a checkpoint.
//
// Thread safety: every method may be called from any thread; Apply from one
// at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/status.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
}  // namespace rocksdb

namespace loyalty {

class Store;

struct Tenure {
  uint64_t epoch = 0;
  uint64_t first_seq = 0;  // the sequence number of the tenure's first batch
  bool operator==(const Tenure&) const = default;
};

// "epoch first_seq" lines, oldest first.
std::string EncodeTenures(const std::vector<Tenure>& tenures);
Result<std::vector<Tenure>> DecodeTenures(std::string_view text);
// The epoch that wrote batch `seq` (0: before any tenure, a single node's).
uint64_t EpochAt(const std::vector<Tenure>& tenures, uint64_t seq);
// Whether a node whose history is (`theirs`, up to `their_seq`) holds only
// batches `ours` holds too: every batch up to their_seq was written by the
// same epoch in both, and ours goes at least as far.
bool IsPrefixOf(const std::vector<Tenure>& theirs, uint64_t their_seq,
                const std::vector<Tenure>& ours, uint64_t our_seq);

// One write batch as RocksDB logged it: its first sequence number, how many
// sequence numbers it takes, and its bytes (rocksdb::WriteBatch::Data()).
struct LoggedBatch {
  uint64_t seq = 0;
  uint64_t count = 0;
  std::string data;
  uint64_t last_seq() const { return count == 0 ? seq : seq + count - 1; }
};

// Where a reader of the log is: RocksDB's iterator kept between reads, so a
// feed that follows the tail reads only what is new (a fresh iterator scans
// the current log file from its start: 40% of a primary's CPU at 3,000
// batches/s). Opaque; one per reader.
struct LogCursor {
  LogCursor();
  ~LogCursor();
  struct Impl;
  std::unique_ptr<Impl> impl;
};

class ReplicaDb {
 public:
  // A standby's copy, opened as it is (never created: a copy starts as a
  // checkpoint, InstallCheckpoint), every column family it has.
  static Result<std::unique_ptr<ReplicaDb>> Open(const std::string& path,
                                                 uint64_t wal_keep_seconds);
  // The primary's: the open store's own database (not owned; the store
  // outlives it).
  static std::unique_ptr<ReplicaDb> Of(Store& store);
  ~ReplicaDb();
  ReplicaDb(const ReplicaDb&) = delete;
  ReplicaDb& operator=(const ReplicaDb&) = delete;

  uint64_t LatestSeq() const;
  // The batches after `after_seq`, in order, until about max_bytes. NotFound
  // when the log no longer goes back that far (the peer needs a checkpoint).
  // With a `cursor`, the iterator of the reader's previous read goes on from
  // where it stopped when `after_seq` is where that read ended.
  Status ReadSince(uint64_t after_seq, size_t max_bytes, std::vector<LoggedBatch>* out,
                   LogCursor* cursor = nullptr) const;
  // Writes `batches` in order, each only when it is the next one (else
  // Corruption: the histories differ), the last one synced: on disk when Ok.
  Status Apply(const std::vector<LoggedBatch>& batches);
  Result<std::vector<Tenure>> Tenures() const;
  // Appends (epoch, first_seq) to the tenures, synced: the first batch of
  // a new primary, before anything else writes. first_seq 0: the next batch
  // (LatestSeq() + 1); a new group's first primary gives 1, the whole store.
  Status BeginTenure(uint64_t epoch, uint64_t first_seq = 0);
  // A consistent copy in `dir` (must not exist; same filesystem: hard links).
  Status Checkpoint(const std::string& dir) const;

 private:
  ReplicaDb(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* meta, bool owned);
  rocksdb::DB* db_;
  rocksdb::ColumnFamilyHandle* meta_;
  bool owned_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // owned ones only
};

// Replaces the database in `data_dir` by the checkpoint copied to
// `incoming_dir` (a sibling directory on the same filesystem). The database's
// files go first, so a crash in between leaves a directory Open refuses
// (no CURRENT), and the node copies a checkpoint again.
Status InstallCheckpoint(const std::string& incoming_dir, const std::string& data_dir);

}  // namespace loyalty
