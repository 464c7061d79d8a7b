// Store: the system of record. One RocksDB database with the column families
// of key_codec.h.
//
// Durability: Commit writes one WriteBatch atomically; with options.sync (the
// default) the WAL is fsynced before Commit returns, so whatever Commit
// acknowledged survives a crash of the process or the machine. With sync off,
// a machine crash may lose the last moments of commits (process crashes lose
// nothing: the WAL is in the OS page cache).
//
// A full disk (disk_guard.h): with a reserve configured, the store keeps a
// ballast file of that size in its directory and refuses writes, with a reason
// and no file path, while the disk has less than the reserve free (or after
// RocksDB itself hit "no space"); the ballast is then released so that the
// database can always be reopened. Writes resume by themselves when the free
// space is back. RocksDB's own log is written by the store (info_log.h), so a
// full disk never aborts the process inside RocksDB.
//
// Schema (schema.h): Open refuses a database of a newer schema and, when the
// options allow, migrates an older one after a verified backup.
//
// Thread safety: all methods may be called from several threads at once
// (RocksDB is). A WriteSet belongs to one thread until committed.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "adapters/rocksdb/txn_retention.h"
#include "engine/decision.h"
#include "engine/runtime/ports.h"
#include "engine/status.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class Status;
class WriteBatch;
class CompactionFilter;
class Env;
}  // namespace rocksdb

namespace loyalty {

class DiskGuard;
class StoreEvents;

// What Open does with a database written by an older schema (schema.h). A
// newer one is always refused.
enum class SchemaPolicy : uint8_t {
  kCurrentOnly,  // refuse it, saying how to migrate (tools reading a stopped store)
  kMigrate,      // back it up (verified), then migrate it step by step (loyaltyd)
  kAny,          // open it as it is and write nothing (backup and restore)
};

// Whether the store takes writes, and why not. `reason` is for anyone (a
// register's error reply, /readyz): no file path. `detail` is for the
// operator's log only (RocksDB's message, with paths).
struct StoreHealth {
  bool writable = true;
  std::string reason;
  std::string detail;
  int64_t since_ms = 0;     // wall clock of the last change
  uint64_t free_bytes = 0;  // on the store's filesystem at the last look (0: unknown)
};

struct StoreOptions {
  std::string path;                          // directory; created if missing
  bool sync = true;                          // fsync the WAL on every Commit
  std::size_t block_cache_bytes = 64 << 20;  // default 64 MiB
  SchemaPolicy schema = SchemaPolicy::kCurrentOnly;
  // kMigrate: where the backup before a migration goes; empty:
  // <path>/pre-migration-backups.
  std::string migration_backup_dir;
  // The disk reserve (disk_guard.h), 0: none. Writes are refused while less
  // than this is free, and a ballast file of this size keeps room to reopen.
  uint64_t disk_reserve_bytes = 0;
  // How often the disk is looked at (free space, the reserve, resuming after
  // a disk error); 0: never, for tools that read a stopped store.
  int64_t disk_check_interval_ms = 0;
  // Told of every change of health, on the thread that saw it (a committing
  // shard or the disk check). Must not block: log and return.
  std::function<void(const StoreHealth&)> on_health;
  // RocksDB's error lines (its own LOG file keeps everything). Must not block.
  std::function<void(const std::string&)> on_rocksdb_error;
  TxnRetention txn_retention;  // how long transaction records are kept
  // Write-ahead log files are kept this long after a flush, so standbys can
  // read the batches they miss (replica.h); 0: deleted at once.
  uint64_t wal_keep_seconds = 0;
  // Non-empty: the database at `path` opened read only, as a RocksDB
  // secondary instance whose own log goes to this directory, beside a
  // writer that has it open (a standby's copy, written by replication). It
  // sees what the writer wrote as of its last CatchUp(); every write fails.
  // Use with SchemaPolicy::kAny and no disk reserve.
  std::string secondary_dir;
  // Tests only: the Env RocksDB does its I/O through (a fault-injecting one,
  // tests/support/power_cut_fs.h); outlives the store. Null: the default.
  rocksdb::Env* env = nullptr;
};

// One backup in a backup directory (backup.cc).
struct BackupRecord {
  uint32_t id = 0;
  int64_t created_ms = 0;
  uint64_t size_bytes = 0;    // all its files, shared ones included
  uint64_t copied_bytes = 0;  // new in this backup (the rest was already there): incremental
  uint32_t files = 0;
  std::string dir;
  std::string store_id;
  uint32_t schema_version = 0;
  std::string note;
  bool verified = false;  // every file re-read and its checksum compared
};

struct BackupRequest {
  std::string dir;    // created if missing; shared files make later backups small
  uint32_t keep = 0;  // keep the newest this many backups there; 0: all
  std::string note;   // kept with the backup ("scheduled", "before migrating...")
};

// RocksDB figures for metrics (Store::Figures).
struct StoreFigures {
  uint64_t live_sst_bytes = 0;
  uint64_t pending_compaction_bytes = 0;
  uint64_t txn_ids_estimate = 0;  // transaction ids stored (estimate)
  uint64_t txn_ids_pruned = 0;    // dropped by the retention since open (cumulative)
  uint64_t write_stalls = 0;      // writes delayed or stopped so far (cumulative)
  bool writes_stopped = false;    // RocksDB stops writes now (compaction far behind)
  uint64_t commit_failures = 0;   // Commit calls that failed, refused ones included
  uint64_t free_bytes = 0;
  uint64_t reserve_bytes = 0;
};

// The writes of one or more events, applied all or nothing by Commit.
class WriteSet final : public StoreBatch {
 public:
  WriteSet();
  ~WriteSet();
  WriteSet(WriteSet&&) noexcept;
  WriteSet& operator=(WriteSet&&) noexcept;

  void PutCustomer(const CustomerState& state) override;
  void PutCard(std::string_view card, std::string_view customer_id) override;
  void RetireCard(std::string_view card) override;
  void EraseCustomer(std::string_view from_id, const CustomerState& state) override;
  void PutTxn(const TxnRecord& txn, TimeMs stored_at_ms) override;
  void PutLedger(const LedgerEntry& entry) override;
  // Points a shard has awarded from a campaign budget, in all (cumulative).
  void PutBudgetUsed(std::string_view rule_id, uint32_t shard, int64_t used) override;
  // Into the meta column family, like PutMeta (an audit entry: audit_log.h).
  void PutRecord(std::string_view key, std::string_view value) override;
  void PutOutbox(std::string_view customer_id, std::string_view event_json) override;
  bool empty() const override;
  void Clear();

 private:
  friend class Store;
  struct Handles;
  void ReleaseOutbox();  // its outbox record is committed or dropped
  void StageOutbox();    // at commit: the outbox record into the batch
  std::unique_ptr<rocksdb::WriteBatch> batch_;
  const Handles* handles_ = nullptr;  // set by Store::NewWriteSet
  // The outbox record of this batch (all its events, one value under one
  // sequence: store.h "The outbox"); 0 and empty until the first event.
  uint64_t outbox_seq_ = 0;
  std::string outbox_record_;
  std::vector<std::pair<std::string, std::string>> erasures_;  // from id, to id: at commit
};

// One page of a customer's ledger statement (customer_reads.cc), read from
// one snapshot so that the balances agree with the state.
struct LedgerPage {
  std::optional<CustomerState> state;     // none: no such customer
  std::vector<LedgerEntry> entries;       // newest first
  std::vector<int64_t> balance_after;     // the balance right after entries[i]
  std::map<std::string, TxnRecord> txns;  // the entries' transactions still kept
  bool more = false;                      // older entries exist
};

// A customer search's answer: which card (or id) matched, and whose.
struct CustomerMatch {
  std::string card;  // "" when the customer id matched
  std::string customer_id;
};

class Store final : public DurableStore {
 public:
  // Opens or creates the database; refuses a schema newer than this build
  // and treats an older one as options.schema says. Fails (never aborts)
  // when the disk is too full to open: the message says so.
  static Result<std::unique_ptr<Store>> Open(const StoreOptions& options);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  WriteSet NewWriteSet() const;
  // Fails with kUnavailable while the store refuses writes (health()), with
  // a message fit for a register: "store unavailable: ...", no file path.
  Status Commit(WriteSet& writes);
  // As Commit, for a replicated group (tools/loyaltyd/group.h): the batch is
  // written to the log unsynced, `written` is called (the standbys start
  // copying it), then the log is synced, so that the two disks' flushes
  // overlap instead of following each other. Durable here when Ok. Other
  // readers of the store may see the batch before it is on disk.
  Status Commit(WriteSet& writes, const std::function<void()>& written);
  // Rewrites every table without what was deleted or overwritten (an erased
  // customer's card, birthday, comments), and drops the write-ahead log that
  // still held them: a full flush and compaction, seconds per GB. After an
  // erasure (docs/OPERATIONS.md: backups keep the data until they age out).
  Status Scrub();
  // The runtime's port (engine/runtime/ports.h): a WriteSet, committed as above.
  std::unique_ptr<StoreBatch> NewBatch() const override;
  Status Commit(StoreBatch& batch) override;

  StoreHealth health() const;
  StoreFigures Figures() const;
  // "a1b2...": made when the store was created (schema 2), kept by backups.
  const std::string& store_id() const { return store_id_; }
  // What Open did that the operator should hear of (a migration, a released
  // disk reserve), one sentence each.
  const std::vector<std::string>& open_notes() const { return open_notes_; }

  // A backup of the open database (RocksDB BackupEngine) into request.dir,
  // consistent as of one moment, taken while commits go on; files already
  // there from earlier backups are not copied again. Verified by re-reading
  // every file; recorded in meta (LastBackup). One at a time.
  Result<BackupRecord> Backup(const BackupRequest& request);
  // The last verified backup taken of this store (by Backup), if any.
  Result<std::optional<BackupRecord>> LastBackup() const;

  Result<std::optional<CustomerState>> GetCustomer(std::string_view customer_id) const override;
  Result<std::optional<std::string>> GetCustomerIdForCard(std::string_view card) const override;
  Result<std::optional<TxnRecord>> GetTxn(std::string_view transaction_id) const override;
  Result<bool> IsCardRetired(std::string_view card) const override;

  // Visits every customer / one customer's ledger in key order. Stops at the
  // first non-ok Status returned by `visit` and returns it.
  Status ForEachCustomer(const std::function<Status(const CustomerState&)>& visit) const override;
  // Every (rule id, shard, points used) written by PutBudgetUsed.
  Status ForEachBudgetUsed(const std::function<void(const std::string& rule_id, uint32_t shard,
                                                    int64_t used)>& visit) const override;
  Status ForEachLedgerEntry(std::string_view customer_id,
                            const std::function<Status(const LedgerEntry&)>& visit) const;
  // Every customer's, customer by customer (customer_reads.cc).
  Status ForEachLedgerEntry(const std::function<Status(const LedgerEntry&)>& visit) const;

  // The statement of `customer_id` (customer_reads.cc): at most `limit`
  // entries with a sequence below `before_seq` (0: from the newest), newest
  // first, each with the balance after it (the state's balance minus the
  // entries after it; balance == sum of the ledger), and the transaction
  // records they name. State, entries and records come from one snapshot.
  Result<LedgerPage> ReadLedgerPage(std::string_view customer_id, uint64_t before_seq,
                                    std::size_t limit) const;
  // At most `limit` cards starting with `prefix` (card order), then customer
  // ids starting with it, each once.
  Result<std::vector<CustomerMatch>> FindCustomers(std::string_view prefix,
                                                   std::size_t limit) const;

  // The meta column family (key_codec.h): the admin side's small records,
  // rule-set versions and the audit log. PutMeta writes all `records` or none
  // (fsynced like a commit); ForEachMeta visits the keys starting with
  // `prefix` in key order, or in reverse, until `visit` returns false.
  using MetaRecord = std::pair<std::string, std::string>;
  Status PutMeta(const std::vector<MetaRecord>& records);
  Result<std::optional<std::string>> GetMeta(std::string_view key) const;
  Status ForEachMeta(
      std::string_view prefix, bool reverse,
      const std::function<bool(std::string_view key, std::string_view value)>& visit) const;

  const StoreOptions& options() const { return options_; }
  // A secondary instance (StoreOptions::secondary_dir): reads what the
  // writer has written since, and answers the latest sequence number now
  // visible.
  Result<uint64_t> CatchUp();
  // The sequence number of the last batch reads see now.
  uint64_t LatestSeq() const;

  // The outbox (outbox.cc): events staged by the runtime with the changes
  // that caused them (StoreBatch::PutOutbox), in sequence order, until a
  // dispatcher acknowledges them (deleted) or gives up on them (moved to the
  // dead letters, kept until redelivered). At least once: an acknowledgement
  // lost in a crash delivers the event again, with the same id.
  //
  // A sequence names a record: the events of one committed batch (a commit
  // group's), in the order they were staged, in one value (key_codec.h).
  // One key per group instead of one per event: fewer keys to insert, read
  // and delete (docs/BENCHMARKS.md "The outbox's cost"). Readers get the
  // events one by one, each with its record's sequence, and a record whole.
  struct OutboxItem {
    uint64_t seq = 0;  // its record's
    std::string event_json;
  };
  struct DeadLetter {
    uint64_t seq = 0;  // its record's
    std::string event_json;
    std::string error;  // the last failure
    uint32_t tries = 0;
    int64_t at_ms = 0;  // when it was given up on
  };
  // The events of the records after sequence `after`, oldest first, whole
  // records only: up to `max` events, or one record when that one alone has
  // more. Only as far as every record is committed: none of a batch still
  // being committed, and none after it, so a reader that goes on from the
  // last sequence it got never misses one.
  Result<std::vector<OutboxItem>> ReadOutbox(uint64_t after, std::size_t max) const;
  // Deletes the records of `seqs` (an item's seq each; repeats are fine).
  Status AckOutbox(const std::vector<uint64_t>& seqs);
  // The records of `seqs` (an item's seq each; repeats are fine) move to
  // the dead letters under their sequences, as the store holds them now (an
  // erasure since they were read may have taken events out, or all).
  Status DeadLetterOutbox(const std::vector<uint64_t>& seqs, const std::string& error,
                          uint32_t tries, int64_t at_ms);
  Result<std::vector<DeadLetter>> ReadDeadLetters(std::size_t max) const;
  // Every dead letter back into the outbox, after what is there: the count.
  Result<std::size_t> RedeliverDeadLetters();
  // The last sequence given (to a record); it starts again from 0 when the
  // store opens with an empty outbox (ids, not sequences, name events).
  uint64_t outbox_last_seq() const;
  // The sequence every record up to which is committed (ReadOutbox reads no
  // further): nothing at or below it will appear later.
  uint64_t outbox_readable_seq() const;

  // Compacts the transaction records now (the retention drops the old
  // ones); RocksDB also does it by itself as tables fill. For tests and ops.
  Status CompactTxns();
  // Transaction records dropped by the retention since the store was opened.
  uint64_t txns_pruned() const { return txns_pruned_->load(); }

 private:
  friend class StoreEvents;
  friend class ReplicaDb;  // reads and follows the log of db_ (replica.h)
  Store(StoreOptions options, std::unique_ptr<rocksdb::DB> db,
        std::unique_ptr<WriteSet::Handles> handles,
        std::unique_ptr<rocksdb::CompactionFilter> txn_filter,
        std::shared_ptr<std::atomic<uint64_t>> txns_pruned);
  Result<std::optional<std::string>> Get(rocksdb::ColumnFamilyHandle* cf,
                                         std::string_view key) const;
  Status StageErasure(const std::string& from, const std::string& to,
                      rocksdb::WriteBatch& batch) const;
  // outbox.cc: the events about the customers `ids` (their subject) leave
  // the records still waiting in the outbox and the dead letters.
  Status StageOutboxErasure(const std::vector<std::string>& ids, rocksdb::WriteBatch& batch) const;
  Status PrepareSchema();  // schema.cc
  Status OpenOutbox();     // outbox.cc: the sequence continues from the last one
  // Health: a refusal (`writable` false) or its end, told once.
  void UpdateHealth(bool disk_ok, std::string disk_reason, std::string detail, uint64_t free_bytes);
  void OnRocksError(std::string detail);  // RocksDB stopped writes (StoreEvents)
  Status Refusal() const;
  Status WriteFailed(const std::string& what, const rocksdb::Status& from_rocks);
  void WatchDisk();  // the disk check's thread
  void CheckDisk();

  StoreOptions options_;
  // Declared before db_, so it outlives the database that calls it.
  std::unique_ptr<rocksdb::CompactionFilter> txn_filter_;
  std::shared_ptr<std::atomic<uint64_t>> txns_pruned_;
  std::unique_ptr<WriteSet::Handles> handles_;
  std::unique_ptr<rocksdb::DB> db_;
  std::string store_id_;
  std::vector<std::string> open_notes_;
  std::unique_ptr<DiskGuard> guard_;  // null without a reserve
  std::mutex backup_mu_;              // one backup at a time

  mutable std::mutex health_mu_;
  StoreHealth health_;                // under health_mu_
  bool rocks_stopped_ = false;        // under health_mu_: RocksDB stopped writes after an error
  uint64_t rocks_errors_ = 0;         // under health_mu_: such errors so far
  std::string rocks_reason_;          // under health_mu_
  bool disk_ok_ = true;               // under health_mu_: the disk check's last verdict
  std::string disk_reason_;           // under health_mu_
  std::atomic<bool> writable_{true};  // health_.writable, read on every commit
  std::atomic<uint64_t> commit_failures_{0};
  std::mutex watch_mu_;
  std::condition_variable watch_cv_;
  bool watch_stop_ = false;  // under watch_mu_
  bool check_now_ = false;   // under watch_mu_: RocksDB met an error
  std::thread watcher_;
};

}  // namespace loyalty
