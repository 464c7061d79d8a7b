// AdminBackups: the admin API's backup endpoints (README.md "Admin API"):
//   GET  /v1/backups   the last verified backup, a running one, the last
//                      error, the next scheduled one, this server's data_dir
//   POST /v1/backups   {"to": "/abs/dir", "keep": 7, "data_dir": "/abs"}:
//                      start a backup (admin); 202, then poll GET. `to`
//                      defaults to backup_dir; `data_dir`, when given, must be
//                      this server's (so `loyalty backup --data-dir` cannot
//                      back up another store by mistake); 409 BUSY while one
//                      runs. Audited (backup.start).
// The /v1/ endpoints answer 503 NOT_READY until Attach.
//
// Thread safety: routes on the io thread.
#pragma once

#include <atomic>
#include <string>

#include "adapters/http/router.h"
#include "adapters/rocksdb/audit_log.h"
#include "tools/loyaltyd/backups.h"

namespace loyalty {

class AdminBackups {
 public:
  explicit AdminBackups(std::function<std::string()> why_not_ready);
  void AddRoutes(http::Router& router);
  // `data_dir`: this server's, as configured.
  void Attach(Backups* backups, AuditLog* audit, const std::string& data_dir);

 private:
  void Get(const http::Request& r, http::Respond respond);
  void Post(const http::Request& r, http::Respond respond);

  std::function<std::string()> why_not_ready_;
  std::atomic<Backups*> backups_{nullptr};
  AuditLog* audit_ = nullptr;
  std::string data_dir_;  // canonical
};

}  // namespace loyalty
