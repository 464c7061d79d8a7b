// The store's meta records (schema version, rule sets, audit entries, the
// outbox, tenures...): written, read and scanned by key prefix (store.h).
#include <rocksdb/db.h>

#include "adapters/rocksdb/store.h"
#include "adapters/rocksdb/store_internal.h"

namespace loyalty {

using store_internal::AsSlice;
using store_internal::FromRocks;

Status Store::PutMeta(const std::vector<MetaRecord>& records) {
  rocksdb::WriteBatch batch;
  for (const auto& [key, value] : records) {
    rocksdb::Status s = batch.Put(handles_->meta, AsSlice(key), AsSlice(value));
    if (!s.ok()) return FromRocks(s, "stage meta record");
  }
  if (!writable_.load(std::memory_order_acquire)) return Refusal();
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  const rocksdb::Status s = db_->Write(wo, &batch);
  if (s.ok()) return Status::Ok();
  return WriteFailed("a write", s);
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

}  // namespace loyalty
