#include "adapters/rocksdb/store.h"

#include <rocksdb/cache.h>
#include <rocksdb/compaction_filter.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/listener.h>
#include <rocksdb/options.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "adapters/rocksdb/disk_guard.h"
#include "adapters/rocksdb/info_log.h"
#include "adapters/rocksdb/key_codec.h"
#include "adapters/rocksdb/store_internal.h"
#include "proto/store_codec.h"

namespace loyalty {

namespace {

using store_internal::AsSlice;
using store_internal::FromRocks;
using store_internal::WallMs;

}  // namespace

// RocksDB's background errors and recoveries, told to the store. A write
// error that stops RocksDB (a full disk while appending to the WAL or
// flushing) makes the store refuse writes; recovery is not left to RocksDB
// (whose own waits for room for every memtable at once): the store's disk
// check resumes it once the disk guard says there is room (Store::CheckDisk).
class StoreEvents final : public rocksdb::EventListener {
 public:
  void Attach(Store* store) { store_.store(store); }
  void OnBackgroundError(rocksdb::BackgroundErrorReason, rocksdb::Status* error) override {
    Store* store = store_.load();
    if (store && error->severity() >= rocksdb::Status::Severity::kHardError) {
      store->OnRocksError(error->ToString());
    }
  }
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status,
                            bool* auto_recovery) override {
    *auto_recovery = false;
  }

 private:
  std::atomic<Store*> store_{nullptr};
};

namespace {

class LedgerCustomer : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "loyalty.LedgerCustomer"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return {key.data(), 1u + static_cast<unsigned char>(key[0])};
  }
  bool InDomain(const rocksdb::Slice& key) const override {
    return !key.empty() && key.size() >= 1u + static_cast<unsigned char>(key[0]);
  }
};

rocksdb::Options MakeOptions(const StoreOptions& options, std::shared_ptr<StoreEvents> events) {
  rocksdb::Options opts;
  if (options.env != nullptr) opts.env = options.env;
  opts.create_if_missing = true;
  opts.create_missing_column_families = true;
  opts.IncreaseParallelism(2);
  // RocksDB preallocates 4 MiB for every new MANIFEST (one per open); ours
  // holds a few KiB. Near a full disk that is room the store needs elsewhere.
  opts.manifest_preallocation_size = 64 << 10;
  opts.WAL_ttl_seconds = options.wal_keep_seconds;
  opts.info_log = std::make_shared<InfoLog>(
      options.secondary_dir.empty() ? options.path : options.secondary_dir,
      options.on_rocksdb_error);
  if (!options.secondary_dir.empty()) {
    opts.create_if_missing = false;
    opts.max_open_files = -1;  // a secondary instance keeps every table open
    // Every catch-up would otherwise open the tables on 16 new threads
    // (RocksDB's default), started and joined ten times a second.
    opts.max_file_opening_threads = 1;
  }
  opts.listeners.push_back(std::move(events));
  // A write group's batches go into the memtables one after the other, by
  // its leader, which can then use the insert hints (below): RocksDB's
  // parallel insertion skips them and wakes every writer of the group to
  // insert its own batch. Measured with `loyalty-bench --versus`
  // (docs/BENCHMARKS.md): 7% less CPU per purchase than hints alone, 10%
  // less than neither. Each shard commits groups of tens of events, so one
  // leader inserting two shards' groups is short.
  opts.allow_concurrent_memtable_write = false;
  return opts;
}

}  // namespace

std::shared_ptr<const rocksdb::SliceTransform> LedgerCustomerTransform() {
  return std::make_shared<LedgerCustomer>();
}

WriteSet::WriteSet() : batch_(std::make_unique<rocksdb::WriteBatch>()) {}
WriteSet::~WriteSet() { ReleaseOutbox(); }
WriteSet::WriteSet(WriteSet&& other) noexcept
    : batch_(std::move(other.batch_)),
      handles_(other.handles_),
      outbox_seq_(std::exchange(other.outbox_seq_, 0)),
      outbox_record_(std::move(other.outbox_record_)),
      erasures_(std::move(other.erasures_)) {}
WriteSet& WriteSet::operator=(WriteSet&& other) noexcept {
  if (this != &other) {
    ReleaseOutbox();
    batch_ = std::move(other.batch_);
    handles_ = other.handles_;
    outbox_seq_ = std::exchange(other.outbox_seq_, 0);
    outbox_record_ = std::move(other.outbox_record_);
    erasures_ = std::move(other.erasures_);
  }
  return *this;
}

void WriteSet::PutCustomer(const CustomerState& s) {
  LOYALTY_CHECK(
      batch_->Put(handles_->customers, s.customer_id, store_codec::EncodeCustomer(s)).ok());
}
void WriteSet::PutCard(std::string_view card, std::string_view customer_id) {
  LOYALTY_CHECK(batch_->Put(handles_->cards, AsSlice(card), AsSlice(customer_id)).ok());
}
void WriteSet::RetireCard(std::string_view card) {
  LOYALTY_CHECK(batch_->Delete(handles_->cards, AsSlice(card)).ok());
  LOYALTY_CHECK(
      batch_->Put(handles_->cards, store_keys::RetiredCardKey(handles_->card_salt, card), "").ok());
}
void WriteSet::EraseCustomer(std::string_view from_id, const CustomerState& state) {
  PutCustomer(state);
  erasures_.emplace_back(from_id, state.customer_id);
}
void WriteSet::PutTxn(const TxnRecord& t, TimeMs stored_at_ms) {
  LOYALTY_CHECK(
      batch_->Put(handles_->txns, t.transaction_id, store_codec::EncodeTxn(t, stored_at_ms)).ok());
}
void WriteSet::PutLedger(const LedgerEntry& e) {
  LOYALTY_CHECK(batch_
                    ->Put(handles_->ledger, store_keys::LedgerKey(e.customer_id, e.seq),
                          store_codec::EncodeLedgerEntry(e))
                    .ok());
}
void WriteSet::PutBudgetUsed(std::string_view rule_id, uint32_t shard, int64_t used) {
  std::string key(rule_id);
  key.push_back('\0');
  key += std::to_string(shard);
  LOYALTY_CHECK(batch_->Put(handles_->budgets, key, std::to_string(used)).ok());
}
void WriteSet::PutRecord(std::string_view key, std::string_view value) {
  LOYALTY_CHECK(batch_->Put(handles_->meta, AsSlice(key), AsSlice(value)).ok());
}
// The batch's first event takes the record's sequence: from then on a
// reader stops before it until the batch is committed or dropped.
void WriteSet::PutOutbox(std::string_view, std::string_view event_json) {
  if (outbox_seq_ == 0) {
    std::lock_guard lock(handles_->outbox_mu);
    outbox_seq_ = handles_->outbox_seq.fetch_add(1) + 1;
    handles_->outbox_in_flight.insert(outbox_seq_);
  }
  store_internal::AppendOutboxEvent(outbox_record_, event_json);
}
void WriteSet::StageOutbox() {
  if (outbox_record_.empty()) return;
  LOYALTY_CHECK(
      batch_->Put(handles_->meta, store_keys::OutboxKey(outbox_seq_), AsSlice(outbox_record_))
          .ok());
  outbox_record_.clear();
}
void WriteSet::ReleaseOutbox() {
  if (outbox_seq_ == 0) return;
  std::lock_guard lock(handles_->outbox_mu);
  handles_->outbox_in_flight.erase(outbox_seq_);
  outbox_seq_ = 0;
  outbox_record_.clear();
}
bool WriteSet::empty() const { return batch_->Count() == 0 && outbox_record_.empty(); }
void WriteSet::Clear() {
  batch_->Clear();
  ReleaseOutbox();
}

Result<std::unique_ptr<Store>> Store::Open(const StoreOptions& options) {
  const std::vector<std::string> names = {rocksdb::kDefaultColumnFamilyName,
                                          store_keys::kCustomers,
                                          store_keys::kCards,
                                          store_keys::kTxns,
                                          store_keys::kLedger,
                                          store_keys::kBudgets,
                                          store_keys::kMeta};
  const bool secondary = !options.secondary_dir.empty();
  std::error_code ec;
  std::filesystem::create_directories(secondary ? options.secondary_dir : options.path, ec);
  if (ec) return Status::IoError("open database at " + options.path + ": " + ec.message());
  std::unique_ptr<DiskGuard> guard;
  std::vector<std::string> notes;
  if (options.disk_reserve_bytes > 0) {
    guard = std::make_unique<DiskGuard>(options.path, options.disk_reserve_bytes);
    if (auto v = guard->BeforeOpen(); !v.note.empty()) notes.push_back(v.note);
  }
  // Point lookups miss often (every new transaction id, every new card):
  // bloom filters answer most misses without touching a table file.
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  rocksdb::ColumnFamilyOptions cf_options;
  cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  auto pruned = std::make_shared<std::atomic<uint64_t>>(0);
  std::unique_ptr<rocksdb::CompactionFilter> txn_filter =
      MakeTxnRetentionFilter(options.txn_retention, pruned);
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (const std::string& n : names) {
    cfs.emplace_back(n, cf_options);
    if (n == store_keys::kTxns) cfs.back().options.compaction_filter = txn_filter.get();
    // Insert hints: a customer's new state sorts just before the last one
    // in the memtable, and their next ledger entry just after the last: the
    // memtable keeps where the previous insert of the same prefix went, and
    // a new one starts its search there instead of at the skip list's top
    // (perf: 17% of the server's CPU in memtable inserts at half load, most
    // of it cache misses of the search). The price: a hint (224 bytes of
    // the memtable's arena) per customer per memtable, so a memtable whose
    // customers come once each fills up sooner (docs/BENCHMARKS.md).
    if (n == store_keys::kCustomers) {
      cfs.back().options.memtable_insert_with_hint_prefix_extractor.reset(
          rocksdb::NewNoopTransform());
    }
    if (n == store_keys::kLedger) {
      cfs.back().options.memtable_insert_with_hint_prefix_extractor = LedgerCustomerTransform();
    }
  }
  std::vector<rocksdb::ColumnFamilyHandle*> hs;
  rocksdb::DB* raw = nullptr;
  auto events = std::make_shared<StoreEvents>();
  rocksdb::Status s =
      secondary ? rocksdb::DB::OpenAsSecondary(MakeOptions(options, events), options.path,
                                               options.secondary_dir, cfs, &hs, &raw)
                : rocksdb::DB::Open(MakeOptions(options, events), options.path, cfs, &hs, &raw);
  if (!s.ok()) {
    if (s.IsNoSpace()) {
      return Status::IoError("open database at " + options.path +
                             ": the disk is full; free some space and start again (" +
                             s.ToString() + ")");
    }
    return FromRocks(s, "open database at " + options.path);
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  db->DestroyColumnFamilyHandle(hs[0]);  // the default family is unused
  auto h = std::make_unique<WriteSet::Handles>(hs[1], hs[2], hs[3], hs[4], hs[5], hs[6]);
  std::unique_ptr<Store> store(
      new Store(options, std::move(db), std::move(h), std::move(txn_filter), std::move(pruned)));
  store->guard_ = std::move(guard);
  store->open_notes_ = std::move(notes);
  events->Attach(store.get());
  // The first look at the disk: a store short of room refuses writes from the start.
  if (store->guard_ || options.disk_check_interval_ms > 0) store->CheckDisk();
  if (Status st = store->PrepareSchema(); !st.ok()) return st;
  store->handles_->card_salt = store->store_id_;
  if (Status st = store->OpenOutbox(); !st.ok()) return st;
  if (options.disk_check_interval_ms > 0) {
    store->watcher_ = std::thread([s = store.get()] { s->WatchDisk(); });
  }
  return store;
}

Store::Store(StoreOptions options, std::unique_ptr<rocksdb::DB> db,
             std::unique_ptr<WriteSet::Handles> handles,
             std::unique_ptr<rocksdb::CompactionFilter> txn_filter,
             std::shared_ptr<std::atomic<uint64_t>> txns_pruned)
    : options_(std::move(options)),
      txn_filter_(std::move(txn_filter)),
      txns_pruned_(std::move(txns_pruned)),
      handles_(std::move(handles)),
      db_(std::move(db)) {
  health_.since_ms = WallMs();
}

Result<uint64_t> Store::CatchUp() {
  if (Status s = FromRocks(db_->TryCatchUpWithPrimary(), "catch up with the copy's writer");
      !s.ok()) {
    return s;
  }
  return db_->GetLatestSequenceNumber();
}

uint64_t Store::LatestSeq() const { return db_->GetLatestSequenceNumber(); }

Status Store::CompactTxns() {
  return FromRocks(
      db_->CompactRange(rocksdb::CompactRangeOptions(), handles_->txns, nullptr, nullptr),
      "compact the transaction records");
}

Store::~Store() {
  {
    std::lock_guard lock(watch_mu_);
    watch_stop_ = true;
  }
  watch_cv_.notify_all();
  if (watcher_.joinable()) watcher_.join();
  for (auto* h : {handles_->customers, handles_->cards, handles_->txns, handles_->ledger,
                  handles_->budgets, handles_->meta}) {
    db_->DestroyColumnFamilyHandle(h);
  }
  (void)db_->Close();
}

StoreFigures Store::Figures() const {
  StoreFigures f;
  const std::vector<rocksdb::ColumnFamilyHandle*> all = {handles_->customers, handles_->cards,
                                                         handles_->txns,      handles_->ledger,
                                                         handles_->budgets,   handles_->meta};
  uint64_t v = 0;
  if (db_->GetAggregatedIntProperty("rocksdb.live-sst-files-size", &v)) f.live_sst_bytes = v;
  if (db_->GetAggregatedIntProperty("rocksdb.estimate-pending-compaction-bytes", &v)) {
    f.pending_compaction_bytes = v;
  }
  if (db_->GetIntProperty(handles_->txns, "rocksdb.estimate-num-keys", &v)) f.txn_ids_estimate = v;
  if (db_->GetIntProperty("rocksdb.is-write-stopped", &v)) f.writes_stopped = v != 0;
  for (auto* cf : all) {
    std::map<std::string, std::string> stats;
    if (!db_->GetMapProperty(cf, "rocksdb.cfstats", &stats)) continue;
    for (const char* key : {"io_stalls.total_stop", "io_stalls.total_slowdown"}) {
      if (auto it = stats.find(key); it != stats.end()) {
        f.write_stalls += std::strtoull(it->second.c_str(), nullptr, 10);
      }
    }
  }
  f.commit_failures = commit_failures_.load(std::memory_order_relaxed);
  f.txn_ids_pruned = txns_pruned();
  f.reserve_bytes = options_.disk_reserve_bytes;
  std::lock_guard lock(health_mu_);
  f.free_bytes = health_.free_bytes;
  return f;
}

WriteSet Store::NewWriteSet() const {
  WriteSet w;
  w.handles_ = handles_.get();
  return w;
}

Status Store::Commit(WriteSet& writes) { return Commit(writes, nullptr); }

Status Store::Commit(WriteSet& writes, const std::function<void()>& written) {
  LOYALTY_CHECK(writes.handles_ == handles_.get());
  if (!writable_.load(std::memory_order_acquire)) {
    commit_failures_.fetch_add(1, std::memory_order_relaxed);
    return Refusal();
  }
  std::unique_lock erasing(handles_->outbox_erasure_mu, std::defer_lock);
  if (!writes.erasures_.empty()) erasing.lock();  // rare: an erasure
  for (const auto& [from, to] : writes.erasures_) {
    if (Status s = StageErasure(from, to, *writes.batch_); !s.ok()) {
      writes.ReleaseOutbox();
      return s;
    }
  }
  writes.StageOutbox();
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync && !written;
  rocksdb::Status s = db_->Write(wo, writes.batch_.get());
  if (s.ok() && written) {
    written();
    if (options_.sync) s = db_->SyncWAL();
  }
  writes.ReleaseOutbox();  // written, or never will be
  if (s.ok()) return Status::Ok();
  return WriteFailed("the commit", s);
}

// Called at commit, so every earlier commit of the customer's shard is on
// disk: their whole ledger moves, and every transaction record naming them.
// Customers merged into them earlier (or into one merged into them) kept a
// record of their own (its id, often a card number, its ledger and
// `merged_into`): each goes under a pseudonym of its own (`to` and "-1",
// "-2"...), its ledger and records with it. The records and the merged customers are found by a
// scan of all of them (an erasure is rare; about a second per million records kept).
Status Store::StageErasure(const std::string& from, const std::string& to,
                           rocksdb::WriteBatch& batch) const {
  std::map<std::string, std::string> renamed = {{from, to}};  // old id -> pseudonym
  if (Status s = FromRocks(batch.Delete(handles_->customers, AsSlice(from)), "stage erasure");
      !s.ok()) {
    return s;
  }
  // One reading per link of a chain (A merged into B, B into the erased):
  // with no merge, one reading.
  std::unique_ptr<rocksdb::Iterator> it;
  for (std::vector<std::string> into = {from}; !into.empty();) {
    std::vector<std::string> found;
    it.reset(db_->NewIterator(rocksdb::ReadOptions(), handles_->customers));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const std::string_view value = store_internal::AsView(it->value());
      if (std::none_of(into.begin(), into.end(), [&](const std::string& id) {
            return value.find(id) != std::string_view::npos;  // cheap before decoding
          })) {
        continue;
      }
      auto merged = store_codec::DecodeCustomer(value);
      if (!merged.ok()) return merged.status();
      if (renamed.count(merged->customer_id) > 0 ||
          std::find(into.begin(), into.end(), merged->merged_into) == into.end()) {
        continue;
      }
      const std::string pseudonym = to + "-" + std::to_string(renamed.size());
      found.push_back(merged->customer_id);
      renamed.emplace(merged->customer_id, pseudonym);
      merged->customer_id = pseudonym;
      merged->merged_into = renamed.at(merged->merged_into);
      batch.Delete(handles_->customers, it->key());
      batch.Put(handles_->customers, pseudonym, store_codec::EncodeCustomer(*merged));
    }
    if (Status s = FromRocks(it->status(), "read the customers to erase"); !s.ok()) return s;
    into = std::move(found);
  }
  for (const auto& [old_id, pseudonym] : renamed) {
    const std::string prefix = store_keys::LedgerPrefix(old_id);
    it.reset(db_->NewIterator(rocksdb::ReadOptions(), handles_->ledger));
    for (it->Seek(AsSlice(prefix)); it->Valid() && it->key().starts_with(AsSlice(prefix));
         it->Next()) {
      auto parts = store_keys::ParseLedgerKey(store_internal::AsView(it->key()));
      if (!parts.ok()) return parts.status();
      auto entry = store_codec::DecodeLedgerEntry(store_internal::AsView(it->value()), pseudonym,
                                                  parts->seq);
      if (!entry.ok()) return entry.status();
      batch.Delete(handles_->ledger, it->key());
      batch.Put(handles_->ledger, store_keys::LedgerKey(pseudonym, parts->seq),
                store_codec::EncodeLedgerEntry(*entry));
    }
    if (Status s = FromRocks(it->status(), "read the ledger to erase"); !s.ok()) return s;
  }
  std::vector<std::string> old_ids;
  for (const auto& [old_id, pseudonym] : renamed) old_ids.push_back(old_id);
  if (Status s = StageOutboxErasure(old_ids, batch); !s.ok()) return s;
  it.reset(db_->NewIterator(rocksdb::ReadOptions(), handles_->txns));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    TimeMs stored_at_ms = 0;
    auto txn = store_codec::DecodeTxn(store_internal::AsView(it->value()), it->key().ToString(),
                                      &stored_at_ms);
    if (!txn.ok()) return txn.status();
    const auto to_id = renamed.find(txn->customer_id);
    if (to_id == renamed.end()) continue;
    txn->customer_id = to_id->second;
    txn->reply.clear();  // it named the customer; a retry now finds the card unknown
    batch.Put(handles_->txns, it->key(), store_codec::EncodeTxn(*txn, stored_at_ms));
  }
  return FromRocks(it->status(), "read the transactions to erase");
}

Status Store::Scrub() {
  const std::vector<rocksdb::ColumnFamilyHandle*> all = {handles_->customers, handles_->cards,
                                                         handles_->txns,      handles_->ledger,
                                                         handles_->budgets,   handles_->meta};
  rocksdb::FlushOptions flush;
  flush.wait = true;
  if (Status s = FromRocks(db_->Flush(flush, all), "flush before the scrub"); !s.ok()) return s;
  rocksdb::CompactRangeOptions options;
  options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  for (rocksdb::ColumnFamilyHandle* cf : all) {
    if (Status s = FromRocks(db_->CompactRange(options, cf, nullptr, nullptr), "scrub"); !s.ok()) {
      return s;
    }
  }
  // The log files the flush made obsolete go now, not at some later flush.
  return FromRocks(db_->FlushWAL(true), "sync the log after the scrub");
}

Result<bool> Store::IsCardRetired(std::string_view card) const {
  auto found = Get(handles_->cards, store_keys::RetiredCardKey(handles_->card_salt, card));
  if (!found.ok()) return found.status();
  return found->has_value();
}

std::unique_ptr<StoreBatch> Store::NewBatch() const {
  return std::make_unique<WriteSet>(NewWriteSet());
}

Status Store::Commit(StoreBatch& batch) { return Commit(static_cast<WriteSet&>(batch)); }

Result<std::optional<std::string>> Store::Get(rocksdb::ColumnFamilyHandle* cf,
                                              std::string_view key) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf, AsSlice(key), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s, "read");
  return std::optional<std::string>(std::move(value));
}

Result<std::optional<CustomerState>> Store::GetCustomer(std::string_view customer_id) const {
  auto bytes = Get(handles_->customers, customer_id);
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return std::optional<CustomerState>();
  auto state = store_codec::DecodeCustomer(**bytes);
  if (!state.ok()) return state.status();
  return std::optional<CustomerState>(std::move(*state));
}

Result<std::optional<std::string>> Store::GetCustomerIdForCard(std::string_view card) const {
  return Get(handles_->cards, card);
}

Result<std::optional<TxnRecord>> Store::GetTxn(std::string_view transaction_id) const {
  auto bytes = Get(handles_->txns, transaction_id);
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return std::optional<TxnRecord>();
  auto txn = store_codec::DecodeTxn(**bytes, std::string(transaction_id));
  if (!txn.ok()) return txn.status();
  return std::optional<TxnRecord>(std::move(*txn));
}

Status Store::ForEachCustomer(const std::function<Status(const CustomerState&)>& visit) const {
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handles_->customers));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto state =
        store_codec::DecodeCustomer(std::string_view(it->value().data(), it->value().size()));
    if (!state.ok()) return state.status();
    if (Status s = visit(*state); !s.ok()) return s;
  }
  return FromRocks(it->status(), "scan customers");
}

Status Store::ForEachBudgetUsed(
    const std::function<void(const std::string&, uint32_t, int64_t)>& visit) const {
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handles_->budgets));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string key = it->key().ToString();
    const std::size_t zero = key.find('\0');
    if (zero == std::string::npos) return Status::Corruption("budget key without a shard");
    try {
      visit(key.substr(0, zero), static_cast<uint32_t>(std::stoul(key.substr(zero + 1))),
            std::stoll(it->value().ToString()));
    } catch (const std::exception&) {
      return Status::Corruption("budget record for " + key.substr(0, zero) + " does not decode");
    }
  }
  return FromRocks(it->status(), "scan budgets");
}

Status Store::ForEachLedgerEntry(std::string_view customer_id,
                                 const std::function<Status(const LedgerEntry&)>& visit) const {
  const std::string prefix = store_keys::LedgerPrefix(customer_id);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), handles_->ledger));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    auto key = store_keys::ParseLedgerKey(std::string_view(it->key().data(), it->key().size()));
    if (!key.ok()) return key.status();
    auto entry = store_codec::DecodeLedgerEntry(
        std::string_view(it->value().data(), it->value().size()), key->customer_id, key->seq);
    if (!entry.ok()) return entry.status();
    if (Status s = visit(*entry); !s.ok()) return s;
  }
  return FromRocks(it->status(), "scan ledger");
}

}  // namespace loyalty
