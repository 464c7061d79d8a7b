// Store: the system of record. One RocksDB database with the column families
// of key_codec.h.
//
// Durability: Commit writes one WriteBatch atomically; with options.sync (the
// default) the WAL is fsynced before Commit returns, so whatever Commit
// acknowledged survives a crash of the process or the machine. With sync off,
// a machine crash may lose the last moments of commits (process crashes lose
// nothing: the WAL is in the OS page cache).
//
// Thread safety: all methods may be called from several threads at once
// (RocksDB is). A WriteSet belongs to one thread until committed.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/rocksdb/txn_retention.h"
#include "engine/decision.h"
#include "engine/runtime/ports.h"
#include "engine/status.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class WriteBatch;
class CompactionFilter;
class Env;
}  // namespace rocksdb

namespace loyalty {

struct StoreOptions {
  std::string path;                          // directory; created if missing
  bool sync = true;                          // fsync the WAL on every Commit
  std::size_t block_cache_bytes = 64 << 20;  // default 64 MiB
  TxnRetention txn_retention;                // how long transaction records are kept
  // Tests only: the Env RocksDB does its I/O through (a fault-injecting one,
  // tests/support/power_cut_fs.h); outlives the store. Null: the default.
  rocksdb::Env* env = nullptr;
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
  void PutTxn(const TxnRecord& txn, TimeMs stored_at_ms) override;
  void PutLedger(const LedgerEntry& entry) override;
  // Points a shard has awarded from a campaign budget, in all (cumulative).
  void PutBudgetUsed(std::string_view rule_id, uint32_t shard, int64_t used) override;
  // Into the meta column family, like PutMeta (an audit entry: audit_log.h).
  void PutRecord(std::string_view key, std::string_view value) override;
  bool empty() const override;
  void Clear();

 private:
  friend class Store;
  struct Handles;
  std::unique_ptr<rocksdb::WriteBatch> batch_;
  const Handles* handles_ = nullptr;  // set by Store::NewWriteSet
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
  // Opens or creates the database; refuses a schema newer than this build.
  static Result<std::unique_ptr<Store>> Open(const StoreOptions& options);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  WriteSet NewWriteSet() const;
  Status Commit(WriteSet& writes);
  // The runtime's port (engine/runtime/ports.h): a WriteSet, committed as above.
  std::unique_ptr<StoreBatch> NewBatch() const override;
  Status Commit(StoreBatch& batch) override;

  Result<std::optional<CustomerState>> GetCustomer(std::string_view customer_id) const override;
  Result<std::optional<std::string>> GetCustomerIdForCard(std::string_view card) const override;
  Result<std::optional<TxnRecord>> GetTxn(std::string_view transaction_id) const override;

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

  // Compacts the transaction records now (the retention drops the old
  // ones); RocksDB also does it by itself as tables fill. For tests and ops.
  Status CompactTxns();
  // Transaction records dropped by the retention since the store was opened.
  uint64_t txns_pruned() const { return txns_pruned_->load(); }

 private:
  Store(StoreOptions options, std::unique_ptr<rocksdb::DB> db,
        std::unique_ptr<WriteSet::Handles> handles,
        std::unique_ptr<rocksdb::CompactionFilter> txn_filter,
        std::shared_ptr<std::atomic<uint64_t>> txns_pruned);
  Result<std::optional<std::string>> Get(rocksdb::ColumnFamilyHandle* cf,
                                         std::string_view key) const;

  StoreOptions options_;
  // Declared before db_, so it outlives the database that calls it.
  std::unique_ptr<rocksdb::CompactionFilter> txn_filter_;
  std::shared_ptr<std::atomic<uint64_t>> txns_pruned_;
  std::unique_ptr<WriteSet::Handles> handles_;
  std::unique_ptr<rocksdb::DB> db_;
};

}  // namespace loyalty
