#include "adapters/rocksdb/store.h"

#include <rocksdb/cache.h>
#include <rocksdb/compaction_filter.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include "adapters/rocksdb/key_codec.h"
#include "adapters/rocksdb/store_internal.h"
#include "proto/store_codec.h"

namespace loyalty {

namespace {

using store_internal::AsSlice;
using store_internal::FromRocks;

rocksdb::Options MakeOptions(const StoreOptions& options) {
  rocksdb::Options opts;
  if (options.env != nullptr) opts.env = options.env;
  opts.create_if_missing = true;
  opts.create_missing_column_families = true;
  opts.IncreaseParallelism(2);
  return opts;
}

}  // namespace

WriteSet::WriteSet() : batch_(std::make_unique<rocksdb::WriteBatch>()) {}
WriteSet::~WriteSet() = default;
WriteSet::WriteSet(WriteSet&&) noexcept = default;
WriteSet& WriteSet::operator=(WriteSet&&) noexcept = default;

void WriteSet::PutCustomer(const CustomerState& s) {
  LOYALTY_CHECK(
      batch_->Put(handles_->customers, s.customer_id, store_codec::EncodeCustomer(s)).ok());
}
void WriteSet::PutCard(std::string_view card, std::string_view customer_id) {
  LOYALTY_CHECK(batch_->Put(handles_->cards, AsSlice(card), AsSlice(customer_id)).ok());
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
bool WriteSet::empty() const { return batch_->Count() == 0; }
void WriteSet::Clear() { batch_->Clear(); }

Result<std::unique_ptr<Store>> Store::Open(const StoreOptions& options) {
  const std::vector<std::string> names = {rocksdb::kDefaultColumnFamilyName,
                                          store_keys::kCustomers,
                                          store_keys::kCards,
                                          store_keys::kTxns,
                                          store_keys::kLedger,
                                          store_keys::kBudgets,
                                          store_keys::kMeta};
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
  }
  std::vector<rocksdb::ColumnFamilyHandle*> hs;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(MakeOptions(options), options.path, cfs, &hs, &raw);
  if (!s.ok()) return FromRocks(s, "open database at " + options.path);
  std::unique_ptr<rocksdb::DB> db(raw);
  db->DestroyColumnFamilyHandle(hs[0]);  // the default family is unused
  auto h = std::make_unique<WriteSet::Handles>(
      WriteSet::Handles{hs[1], hs[2], hs[3], hs[4], hs[5], hs[6]});
  std::unique_ptr<Store> store(
      new Store(options, std::move(db), std::move(h), std::move(txn_filter), std::move(pruned)));

  // Schema: stamp a new database; refuse one written by a newer schema.
  auto version = store->Get(store->handles_->meta, store_keys::kSchemaVersionKey);
  if (!version.ok()) return version.status();
  if (!version->has_value()) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    s = store->db_->Put(wo, store->handles_->meta, store_keys::kSchemaVersionKey,
                        std::to_string(store_codec::kSchemaVersion));
    if (!s.ok()) return FromRocks(s, "write schema version");
  } else if (std::stoul(**version) > store_codec::kSchemaVersion) {
    return Status::Invalid("database at " + options.path + " has schema version " + **version +
                           "; this build reads up to " +
                           std::to_string(store_codec::kSchemaVersion));
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
      db_(std::move(db)) {}

Status Store::CompactTxns() {
  return FromRocks(
      db_->CompactRange(rocksdb::CompactRangeOptions(), handles_->txns, nullptr, nullptr),
      "compact the transaction records");
}

Store::~Store() {
  for (auto* h : {handles_->customers, handles_->cards, handles_->txns, handles_->ledger,
                  handles_->budgets, handles_->meta}) {
    db_->DestroyColumnFamilyHandle(h);
  }
  (void)db_->Close();
}

WriteSet Store::NewWriteSet() const {
  WriteSet w;
  w.handles_ = handles_.get();
  return w;
}

Status Store::Commit(WriteSet& writes) {
  LOYALTY_CHECK(writes.handles_ == handles_.get());
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  return FromRocks(db_->Write(wo, writes.batch_.get()), "commit");
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

Status Store::PutMeta(const std::vector<MetaRecord>& records) {
  rocksdb::WriteBatch batch;
  for (const auto& [key, value] : records) {
    rocksdb::Status s = batch.Put(handles_->meta, AsSlice(key), AsSlice(value));
    if (!s.ok()) return FromRocks(s, "stage meta record");
  }
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  return FromRocks(db_->Write(wo, &batch), "write meta records");
}

Result<std::optional<std::string>> Store::GetMeta(std::string_view key) const {
  return Get(handles_->meta, key);
}

Status Store::ForEachMeta(
    std::string_view prefix, bool reverse,
    const std::function<bool(std::string_view key, std::string_view value)>& visit) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), handles_->meta));
  if (reverse) {
    // The first key past every key with the prefix: the prefix with 0xff.
    it->SeekForPrev(AsSlice(std::string(prefix) + "\xff"));
  } else {
    it->Seek(AsSlice(prefix));
  }
  for (; it->Valid(); reverse ? it->Prev() : it->Next()) {
    const std::string_view key(it->key().data(), it->key().size());
    if (key.substr(0, prefix.size()) != prefix) break;
    if (!visit(key, std::string_view(it->value().data(), it->value().size()))) break;
  }
  return FromRocks(it->status(), "scan meta");
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
