// Backups of the store (RocksDB's BackupEngine) and their restore.
//
// A backup directory holds many backups of one store: shared_checksum/
// (table files, named by their content, shared between backups: a later
// backup copies only what is new), private/N/ (each backup's small files and
// WAL), meta/N (its file list, with checksums). Store::Backup (store.h) takes
// one from an open store while it keeps committing: RocksDB flushes its
// memtables, keeps the files it needs from being deleted and copies them and
// the WAL up to one moment, so the backup is that moment's store, every
// committed batch whole or absent.
// Each backup carries, in its metadata, the store id, the schema version, when
// it was taken and a note; Store::Backup then verifies it (every file re-read,
// checksums compared) and records it in the store's meta ("backup/last").
//
// Thread safety: these functions open their own BackupEngine each call; a
// backup directory is written by one process at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "adapters/rocksdb/store.h"

namespace loyalty {

// Every backup in `dir`, oldest first, with its metadata; corrupt ones are
// left out and named in *corrupt when not null.
Result<std::vector<BackupRecord>> ListBackups(const std::string& dir,
                                              std::vector<uint32_t>* corrupt = nullptr);

// Verifies backup `id` of `dir` (0: the newest) by checksum, then restores it
// into `data_dir`, which must not exist or be empty (a restore never
// overwrites a store). Returns the backup restored.
Result<BackupRecord> RestoreBackup(const std::string& dir, uint32_t id,
                                   const std::string& data_dir);

// The record as kept in a backup's metadata and in meta "backup/last":
// key=value lines.
std::string EncodeBackupRecord(const BackupRecord& record);
BackupRecord DecodeBackupRecord(const std::string& text);

}  // namespace loyalty
