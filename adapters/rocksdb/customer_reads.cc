// The support desk's reads (store.h): a customer's ledger statement by pages
// and the customer search. Both only read, from the write path's families.
#include <rocksdb/db.h>

#include "adapters/rocksdb/key_codec.h"
#include "adapters/rocksdb/store.h"
#include "adapters/rocksdb/store_internal.h"
#include "proto/store_codec.h"

namespace loyalty {
namespace {

using store_internal::AsSlice;
using store_internal::AsView;
using store_internal::FromRocks;

// Releases the snapshot whatever way the read ends.
class Snapshot {
 public:
  explicit Snapshot(rocksdb::DB& db) : db_(db), snapshot_(db.GetSnapshot()) {
    options_.snapshot = snapshot_;
  }
  ~Snapshot() { db_.ReleaseSnapshot(snapshot_); }
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;
  const rocksdb::ReadOptions& options() const { return options_; }

 private:
  rocksdb::DB& db_;
  const rocksdb::Snapshot* snapshot_;
  rocksdb::ReadOptions options_;
};

Result<std::optional<std::string>> Read(rocksdb::DB& db, const rocksdb::ReadOptions& options,
                                        rocksdb::ColumnFamilyHandle* cf, std::string_view key) {
  std::string value;
  const rocksdb::Status s = db.Get(options, cf, AsSlice(key), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s, "read");
  return std::optional<std::string>(std::move(value));
}

}  // namespace

Result<LedgerPage> Store::ReadLedgerPage(std::string_view customer_id, uint64_t before_seq,
                                         std::size_t limit) const {
  LedgerPage page;
  if (customer_id.empty() || customer_id.size() > 255) return page;
  Snapshot snap(*db_);
  auto bytes = Read(*db_, snap.options(), handles_->customers, customer_id);
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return page;
  auto state = store_codec::DecodeCustomer(**bytes);
  if (!state.ok()) return state.status();
  int64_t balance = state->balance();
  page.state = std::move(*state);
  // Newest first: the balance after an entry is the balance now minus every
  // entry after it.
  const std::string prefix = store_keys::LedgerPrefix(customer_id);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(snap.options(), handles_->ledger));
  for (it->SeekForPrev(AsSlice(store_keys::LedgerKey(customer_id, UINT64_MAX)));
       it->Valid() && it->key().starts_with(prefix); it->Prev()) {
    auto key = store_keys::ParseLedgerKey(AsView(it->key()));
    if (!key.ok()) return key.status();
    auto entry = store_codec::DecodeLedgerEntry(AsView(it->value()), key->customer_id, key->seq);
    if (!entry.ok()) return entry.status();
    const int64_t after = balance;
    balance -= entry->points;
    if (before_seq != 0 && entry->seq >= before_seq) continue;
    if (page.entries.size() == limit) {
      page.more = true;
      break;
    }
    page.entries.push_back(std::move(*entry));
    page.balance_after.push_back(after);
  }
  if (Status s = FromRocks(it->status(), "scan ledger"); !s.ok()) return s;
  for (const LedgerEntry& e : page.entries) {
    if (e.transaction_id.empty() || page.txns.count(e.transaction_id) != 0) continue;
    auto txn = Read(*db_, snap.options(), handles_->txns, e.transaction_id);
    if (!txn.ok()) return txn.status();
    if (!txn->has_value()) continue;  // pruned after the retention period
    auto decoded = store_codec::DecodeTxn(**txn, e.transaction_id);
    if (!decoded.ok()) return decoded.status();
    page.txns.emplace(e.transaction_id, std::move(*decoded));
  }
  return page;
}

Status Store::ForEachLedgerEntry(const std::function<Status(const LedgerEntry&)>& visit) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), handles_->ledger));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto key = store_keys::ParseLedgerKey(AsView(it->key()));
    if (!key.ok()) return key.status();
    auto entry = store_codec::DecodeLedgerEntry(AsView(it->value()), key->customer_id, key->seq);
    if (!entry.ok()) return entry.status();
    if (Status s = visit(*entry); !s.ok()) return s;
  }
  return FromRocks(it->status(), "scan ledger");
}

Result<std::vector<CustomerMatch>> Store::FindCustomers(std::string_view prefix,
                                                        std::size_t limit) const {
  std::vector<CustomerMatch> found;
  if (prefix.empty()) return found;
  Snapshot snap(*db_);
  std::unique_ptr<rocksdb::Iterator> cards(db_->NewIterator(snap.options(), handles_->cards));
  for (cards->Seek(AsSlice(prefix));
       cards->Valid() && cards->key().starts_with(AsSlice(prefix)) && found.size() < limit;
       cards->Next()) {
    found.push_back({cards->key().ToString(), cards->value().ToString()});
  }
  if (Status s = FromRocks(cards->status(), "scan cards"); !s.ok()) return s;
  std::unique_ptr<rocksdb::Iterator> ids(db_->NewIterator(snap.options(), handles_->customers));
  for (ids->Seek(AsSlice(prefix));
       ids->Valid() && ids->key().starts_with(AsSlice(prefix)) && found.size() < limit;
       ids->Next()) {
    const std::string id = ids->key().ToString();
    bool seen = false;
    for (const CustomerMatch& m : found) seen = seen || m.customer_id == id;
    if (!seen) found.push_back({"", id});
  }
  if (Status s = FromRocks(ids->status(), "scan customers"); !s.ok()) return s;
  return found;
}

}  // namespace loyalty
