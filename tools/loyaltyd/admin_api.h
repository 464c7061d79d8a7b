// AdminApi: the admin listener's probes and the audit log, as rows of the
// router's table (adapters/http/router.h). Open: GET /healthz, /readyz,
// /metrics. With a token or a console session: GET /v1/audit. The rest of
// the API is in admin_customers.h (the support desk), admin_publish.h (rule
// sets), admin_reports.h (reports, RFM) and admin_console.h (the console).
// README.md ("Admin API") lists each with a curl example; docs/openapi.yaml
// describes them all.
//
// The API starts before the store opens (so /healthz and /readyz answer
// during startup); the /v1/ endpoints answer 503 NOT_READY until Attach.
//
// Thread safety: on the io thread.
#pragma once

#include <atomic>
#include <string>

#include "adapters/http/router.h"
#include "adapters/rocksdb/audit_log.h"
#include "tools/loyaltyd/metrics.h"

namespace loyalty {

// What /readyz says: ready when the store is open and takes writes (a full
// disk makes it refuse them: adapters/rocksdb/disk_guard.h), the rules are
// loaded and the server is not draining. Redis plays no part (it is a cache).
struct Readiness {
  std::atomic<bool> store_open{false};
  std::atomic<bool> rules_loaded{false};
  std::atomic<bool> draining{false};
  std::atomic<bool> standby{false};          // in a group, until this node is primary
  std::atomic<const Store*> store{nullptr};  // set while open
  bool ready() const { return why_not().empty(); }
  std::string why_not() const;  // "" when ready
};

class AdminApi {
 public:
  static constexpr std::size_t kAuditScannedMax = 10'000;  // entries one filtered page reads

  AdminApi(Readiness& readiness, Metrics& metrics, std::function<void()> sample_metrics);
  void AddRoutes(http::Router& router);
  void Attach(AuditLog* audit) { audit_ = audit; }

 private:
  void Audit(const http::Request& r, http::Respond respond);

  Readiness& readiness_;
  Metrics& metrics_;
  std::function<void()> sample_metrics_;
  std::atomic<AuditLog*> audit_{nullptr};
};

}  // namespace loyalty
