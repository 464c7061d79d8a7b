#include "adapters/rocksdb/backup.h"

#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/utilities/backup_engine.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <set>
#include <sstream>

#include "adapters/rocksdb/key_codec.h"
#include "adapters/rocksdb/store_internal.h"
#include "proto/store_codec.h"

namespace loyalty {
namespace {

using store_internal::FromRocks;
using store_internal::WallMs;

std::string OneLine(std::string text) {
  for (char& c : text) c = (c == '\n' || c == '\r') ? ' ' : c;
  return text;
}

BackupRecord FromInfo(const rocksdb::BackupInfo& info, const std::string& dir) {
  BackupRecord r = DecodeBackupRecord(info.app_metadata);
  r.id = info.backup_id;
  r.size_bytes = info.size;
  r.files = info.number_files;
  r.dir = dir;
  if (r.created_ms == 0) r.created_ms = info.timestamp * 1000;
  return r;
}

// "shared_checksum/000020_s..._1244.sst", "private/2/CURRENT": a file's
// name within the backup directory, the same for every backup sharing it.
std::string FileKey(const rocksdb::BackupFileInfo& f) { return f.relative_filename; }

}  // namespace

std::string EncodeBackupRecord(const BackupRecord& r) {
  std::ostringstream out;
  out << "id=" << r.id << "\ncreated_ms=" << r.created_ms << "\nsize_bytes=" << r.size_bytes
      << "\ncopied_bytes=" << r.copied_bytes << "\nfiles=" << r.files << "\ndir=" << OneLine(r.dir)
      << "\nstore_id=" << r.store_id << "\nschema_version=" << r.schema_version
      << "\nnote=" << OneLine(r.note) << "\nverified=" << (r.verified ? 1 : 0) << "\n";
  return out.str();
}

BackupRecord DecodeBackupRecord(const std::string& text) {
  BackupRecord r;
  std::istringstream in(text);
  auto number = [](const std::string& v) { return std::strtoull(v.c_str(), nullptr, 10); };
  for (std::string line; std::getline(in, line);) {
    const std::size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    const std::string key = line.substr(0, eq);
    const std::string value = line.substr(eq + 1);
    if (key == "id") r.id = static_cast<uint32_t>(number(value));
    if (key == "created_ms") r.created_ms = static_cast<int64_t>(number(value));
    if (key == "size_bytes") r.size_bytes = number(value);
    if (key == "copied_bytes") r.copied_bytes = number(value);
    if (key == "files") r.files = static_cast<uint32_t>(number(value));
    if (key == "dir") r.dir = value;
    if (key == "store_id") r.store_id = value;
    if (key == "schema_version") r.schema_version = static_cast<uint32_t>(number(value));
    if (key == "note") r.note = value;
    if (key == "verified") r.verified = value == "1";
  }
  return r;
}

Result<BackupRecord> Store::Backup(const BackupRequest& request) {
  std::lock_guard lock(backup_mu_);
  std::error_code ec;
  std::filesystem::create_directories(request.dir, ec);
  if (ec) return Status::IoError("backup directory " + request.dir + ": " + ec.message());
  rocksdb::BackupEngineOptions options(request.dir);
  options.sync = true;
  rocksdb::BackupEngine* raw = nullptr;
  rocksdb::Status s = rocksdb::BackupEngine::Open(options, rocksdb::Env::Default(), &raw);
  if (!s.ok()) return FromRocks(s, "open backup directory " + request.dir);
  std::unique_ptr<rocksdb::BackupEngine> engine(raw);

  // What earlier backups hold already: the new one copies only the rest.
  std::set<std::string> held;
  std::vector<rocksdb::BackupInfo> earlier;
  engine->GetBackupInfo(&earlier, /*include_file_details=*/true);
  for (const auto& info : earlier) {
    for (const auto& f : info.file_details) held.insert(FileKey(f));
  }

  BackupRecord record;
  record.created_ms = WallMs();
  record.dir = request.dir;
  record.store_id = store_id_;
  record.note = request.note;
  auto version = GetMeta(store_keys::kSchemaVersionKey);
  if (version.ok() && version->has_value()) {
    record.schema_version = static_cast<uint32_t>(std::strtoul((*version)->c_str(), nullptr, 10));
  }
  rocksdb::CreateBackupOptions create;
  // The memtables go to table files first: those are shared with later
  // backups (the WAL would be copied anew each time). A flush switches to a
  // fresh memtable and does not stop commits.
  create.flush_before_backup = true;
  rocksdb::BackupID id = 0;
  s = engine->CreateNewBackupWithMetadata(create, db_.get(), EncodeBackupRecord(record), &id);
  if (!s.ok()) return FromRocks(s, "back up to " + request.dir);
  s = engine->VerifyBackup(id, /*verify_with_checksum=*/true);
  if (!s.ok()) return FromRocks(s, "verify backup " + std::to_string(id) + " in " + request.dir);

  rocksdb::BackupInfo info;
  s = engine->GetBackupInfo(id, &info, /*include_file_details=*/true);
  if (!s.ok()) return FromRocks(s, "read backup " + std::to_string(id));
  record.id = id;
  record.size_bytes = info.size;
  record.files = info.number_files;
  record.verified = true;
  for (const auto& f : info.file_details) {
    if (!held.count(FileKey(f))) record.copied_bytes += f.size;
  }
  if (request.keep > 0) {
    s = engine->PurgeOldBackups(request.keep);
    if (!s.ok())
      return FromRocks(s, "remove backups beyond the newest " + std::to_string(request.keep));
  }
  // Recorded for the age metric; a store refusing writes (a full disk) still
  // has its backup, only not the record of it.
  (void)PutMeta({{store_keys::kLastBackupKey, EncodeBackupRecord(record)}});
  return record;
}

Result<std::optional<BackupRecord>> Store::LastBackup() const {
  auto text = GetMeta(store_keys::kLastBackupKey);
  if (!text.ok()) return text.status();
  if (!text->has_value()) return std::optional<BackupRecord>();
  return std::optional<BackupRecord>(DecodeBackupRecord(**text));
}

Result<std::vector<BackupRecord>> ListBackups(const std::string& dir,
                                              std::vector<uint32_t>* corrupt) {
  if (!std::filesystem::is_directory(dir + "/meta")) {
    return Status::NotFound("no backups in " + dir + " (no meta/ directory)");
  }
  rocksdb::BackupEngineOptions options(dir);
  rocksdb::BackupEngineReadOnly* raw = nullptr;
  rocksdb::Status s = rocksdb::BackupEngineReadOnly::Open(options, rocksdb::Env::Default(), &raw);
  if (!s.ok()) return FromRocks(s, "open backup directory " + dir);
  std::unique_ptr<rocksdb::BackupEngineReadOnly> engine(raw);
  std::vector<rocksdb::BackupInfo> infos;
  engine->GetBackupInfo(&infos);
  std::vector<BackupRecord> out;
  for (const auto& info : infos) out.push_back(FromInfo(info, dir));
  if (corrupt) {
    std::vector<rocksdb::BackupID> ids;
    engine->GetCorruptedBackups(&ids);
    corrupt->assign(ids.begin(), ids.end());
  }
  return out;
}

Result<BackupRecord> RestoreBackup(const std::string& dir, uint32_t id,
                                   const std::string& data_dir) {
  std::error_code ec;
  if (std::filesystem::exists(data_dir, ec) && !std::filesystem::is_empty(data_dir, ec)) {
    return Status::Invalid("restore into " + data_dir +
                           ": the directory is not empty; a restore never overwrites a store "
                           "(move it aside, or name a new directory)");
  }
  auto all = ListBackups(dir);
  if (!all.ok()) return all.status();
  if (all->empty()) return Status::NotFound("no backups in " + dir);
  const BackupRecord* chosen = &all->back();
  if (id != 0) {
    chosen = nullptr;
    for (const auto& r : *all) {
      if (r.id == id) chosen = &r;
    }
    if (!chosen) return Status::NotFound("no backup " + std::to_string(id) + " in " + dir);
  }
  rocksdb::BackupEngineOptions options(dir);
  rocksdb::BackupEngineReadOnly* raw = nullptr;
  rocksdb::Status s = rocksdb::BackupEngineReadOnly::Open(options, rocksdb::Env::Default(), &raw);
  if (!s.ok()) return FromRocks(s, "open backup directory " + dir);
  std::unique_ptr<rocksdb::BackupEngineReadOnly> engine(raw);
  s = engine->VerifyBackup(chosen->id, /*verify_with_checksum=*/true);
  if (!s.ok()) return FromRocks(s, "verify backup " + std::to_string(chosen->id));
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return Status::IoError("create " + data_dir + ": " + ec.message());
  s = engine->RestoreDBFromBackup(rocksdb::RestoreOptions(), chosen->id, data_dir, data_dir);
  if (!s.ok()) return FromRocks(s, "restore backup " + std::to_string(chosen->id));
  BackupRecord restored = *chosen;
  restored.verified = true;
  return restored;
}

}  // namespace loyalty
