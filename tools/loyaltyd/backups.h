// Backups of the running store (adapters/rocksdb/backup.h), one at a time on
// this class's own thread, started three ways:
//   - the admin API: POST /v1/backups {"to": DIR, "keep": N} (admin role;
//     `to` defaults to backup_dir), which `loyalty backup` uses against a
//     running server;
//   - the schedule: every backup_interval_ms into backup_dir (0: none);
//   - nothing else: a migration's backup is the store's own (schema.h).
// The last good backup is read from the store at start and kept here for
// GET /v1/backups and the age metric, so the age survives restarts.
//
// Thread safety: every method from any thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "adapters/rocksdb/store.h"

namespace loyalty {

struct BackupSchedule {
  std::string dir;          // backup_dir: the default destination; "" none
  int64_t interval_ms = 0;  // 0: no scheduled backups
  uint32_t keep = 7;        // backups kept in dir by scheduled runs
};

class Backups {
 public:
  using Clock = std::function<int64_t()>;  // wall clock, ms
  using Log = std::function<void(const std::string&)>;
  Backups(Store& store, BackupSchedule schedule, Clock now, Log info, Log warn);
  ~Backups();  // Stop()s

  // Starts a backup into request.dir (empty: the schedule's dir). kUnavailable
  // while one runs; kInvalidArgument without a directory.
  Status Start(BackupRequest request, const std::string& who);

  struct State {
    bool running = false;
    std::string running_dir;
    int64_t running_since_ms = 0;
    std::optional<BackupRecord> last;  // the last verified backup
    std::string last_error;            // of the last attempt, "" when it succeeded
    int64_t last_error_ms = 0;
    int64_t next_scheduled_ms = 0;       // 0: no schedule
    uint64_t succeeded = 0, failed = 0;  // since start
  };
  State state() const;
  // Seconds since the last verified backup; +infinity when there is none.
  double AgeSeconds() const;

  // Lets a running backup finish, then joins.
  void Stop();

 private:
  void Work();
  void Run(const BackupRequest& request, const std::string& who);

  Store& store_;
  const BackupSchedule schedule_;
  const Clock now_;
  const Log info_, warn_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  State state_;                                                 // under mu_
  std::optional<std::pair<BackupRequest, std::string>> asked_;  // under mu_
  bool stop_ = false;
  std::thread worker_;
};

}  // namespace loyalty
