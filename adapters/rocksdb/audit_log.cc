#include "adapters/rocksdb/audit_log.h"

#include "adapters/rocksdb/key_codec.h"

namespace loyalty {

Result<std::unique_ptr<AuditLog>> AuditLog::Open(Store& store) {
  uint64_t last = 0;
  Status bad;
  Status s = store.ForEachMeta(
      store_keys::kAuditPrefix, true, [&](std::string_view, std::string_view value) {
        store::v1::AuditEntry e;
        if (!e.ParseFromArray(value.data(), static_cast<int>(value.size())))
          bad = Status::Corruption("an audit entry does not decode");
        last = e.seq();
        return false;
      });
  if (!s.ok()) return s;
  if (!bad.ok()) return bad;
  return std::unique_ptr<AuditLog>(new AuditLog(store, last));
}

Store::MetaRecord AuditLog::Stage(store::v1::AuditEntry& entry) {
  std::lock_guard lock(mu_);
  entry.set_seq(++last_seq_);
  return {store_keys::AuditKey(entry.seq()), entry.SerializeAsString()};
}

Status AuditLog::Append(store::v1::AuditEntry entry) { return store_.PutMeta({Stage(entry)}); }

Result<std::vector<store::v1::AuditEntry>> AuditLog::List(std::size_t limit, uint64_t before_seq,
                                                          const Filter& keep,
                                                          std::size_t examined_max) const {
  std::vector<store::v1::AuditEntry> out;
  std::size_t examined = 0;
  Status bad;
  Status s = store_.ForEachMeta(
      store_keys::kAuditPrefix, true, [&](std::string_view, std::string_view value) {
        store::v1::AuditEntry e;
        if (!e.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
          bad = Status::Corruption("an audit entry does not decode");
          return false;
        }
        if (before_seq != 0 && e.seq() >= before_seq) return true;
        examined += 1;
        if (!keep || keep(e)) out.push_back(std::move(e));
        return out.size() < limit && examined < examined_max;
      });
  if (!s.ok()) return s;
  if (!bad.ok()) return bad;
  return out;
}

}  // namespace loyalty
