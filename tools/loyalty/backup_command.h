// `loyalty backup` and `loyalty restore` (docs/OPERATIONS.md):
//
//   loyalty backup --data-dir DIR --to DEST [--keep N]
//       A stopped store: opened here and backed up into DEST. A running
//       loyaltyd holds DIR's lock: then it is asked through its admin API
//       (--admin HOST:PORT, default 127.0.0.1:7071; --token or
//       $LOYALTY_ADMIN_TOKEN, an admin's) to back DIR up into DEST while it
//       serves, and this waits for the result. Either way the backup is
//       incremental (files already in DEST are not copied again) and verified.
//   loyalty restore --from DEST --data-dir NEW [--backup N]
//       Verifies backup N (default: the newest), restores it into NEW (which
//       must not exist or be empty), then runs `loyalty check` on it.
//   loyalty restore --from DEST --list
//       The backups in DEST: id, when, size, store id, schema, note.
//
// Exit codes: 0 done (and consistent), 1 refused, failed, or problems found,
// 2 bad usage or unreadable input, 3 the admin API could not be reached.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

namespace loyalty::cli {

struct BackupOptions {
  std::string data_dir;
  std::string to;
  uint32_t keep = 0;
  std::string admin = "127.0.0.1:7071";
  std::string token;
  std::string from;
  uint32_t backup_id = 0;
  bool list = false;
  bool json = false;
  CLI::App* backup = nullptr;
  CLI::App* restore = nullptr;
};

void AddBackupCommands(CLI::App& app, BackupOptions& o);
// -1 when neither command was given.
int RunBackupCommands(BackupOptions& o);

}  // namespace loyalty::cli
