#include "adapters/rocksdb/schema.h"

#include <charconv>
#include <cstdio>
#include <random>

#include "adapters/rocksdb/key_codec.h"
#include "proto/store_codec.h"

namespace loyalty {
namespace schema {
namespace {

// 1 -> 2: every store gets an id (kept when it was made already).
Status AddStoreId(Store& store) {
  auto id = store.GetMeta(store_keys::kStoreIdKey);
  if (!id.ok()) return id.status();
  if (id->has_value()) return Status::Ok();
  return store.PutMeta({{store_keys::kStoreIdKey, NewStoreId()}});
}

}  // namespace

const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> kMigrations = {
      {2, "give the store an id (meta store_id)", AddStoreId},
  };
  return kMigrations;
}

std::string NewStoreId() {
  std::random_device random;
  std::string id;
  for (int i = 0; i < 4; ++i) {
    char word[9];
    std::snprintf(word, sizeof word, "%08x", static_cast<unsigned>(random()));
    id += word;
  }
  return id;
}

}  // namespace schema

namespace {

Result<uint32_t> ParseVersion(const std::string& text) {
  uint32_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || v == 0) {
    return Status::Corruption("the stored schema version '" + text + "' is not a number");
  }
  return v;
}

}  // namespace

// Schema: stamp a new database; refuse a newer one; migrate or refuse an
// older one (schema.h).
Status Store::PrepareSchema() {
  const uint32_t current = store_codec::kSchemaVersion;
  auto stored = GetMeta(store_keys::kSchemaVersionKey);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) {
    if (options_.schema == SchemaPolicy::kAny) return Status::Ok();
    store_id_ = schema::NewStoreId();
    return PutMeta({{store_keys::kSchemaVersionKey, std::to_string(current)},
                    {store_keys::kStoreIdKey, store_id_}});
  }
  auto version = ParseVersion(**stored);
  if (!version.ok()) return version.status();
  const std::string at = "the database at " + options_.path;
  if (*version > current) {
    return Status::Invalid(at + " has schema version " + std::to_string(*version) +
                           ", written by a newer loyaltyd; this build reads up to version " +
                           std::to_string(current) +
                           ". Run the newer loyaltyd, or restore a backup taken before the "
                           "upgrade (docs/OPERATIONS.md)");
  }
  if (*version < current && options_.schema == SchemaPolicy::kCurrentOnly) {
    return Status::Invalid(at + " has schema version " + std::to_string(*version) +
                           "; this build uses version " + std::to_string(current) +
                           ". Start this version's loyaltyd on it once: it backs the store up "
                           "and migrates it");
  }
  if (*version < current && options_.schema == SchemaPolicy::kMigrate) {
    const std::string dir = options_.migration_backup_dir.empty()
                                ? options_.path + "/pre-migration-backups"
                                : options_.migration_backup_dir;
    auto backup = Backup(
        {dir, 0,
         "before migrating schema " + std::to_string(*version) + " to " + std::to_string(current)});
    if (!backup.ok()) {
      return Status::IoError("not migrating " + at + " from schema " + std::to_string(*version) +
                             ": the backup before it failed: " + backup.status().message());
    }
    open_notes_.push_back("schema " + std::to_string(*version) + ": backed up as backup " +
                          std::to_string(backup->id) + " in " + dir +
                          " (verified) before migrating");
    for (const schema::Migration& m : schema::Migrations()) {
      if (m.to <= *version) continue;
      if (Status s = m.apply(*this); !s.ok()) {
        return Status::IoError("migrating " + at + " to schema " + std::to_string(m.to) + " (" +
                               m.what + "): " + s.message());
      }
      if (Status s = PutMeta({{store_keys::kSchemaVersionKey, std::to_string(m.to)}}); !s.ok()) {
        return s;
      }
      open_notes_.push_back("schema migrated to version " + std::to_string(m.to) + ": " + m.what);
    }
  }
  auto id = GetMeta(store_keys::kStoreIdKey);
  if (!id.ok()) return id.status();
  if (id->has_value()) store_id_ = **id;
  return Status::Ok();
}

}  // namespace loyalty
