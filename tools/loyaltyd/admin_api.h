// AdminApi: the admin HTTP endpoints, as rows of the router's table
// (adapters/http/router.h). Open: GET /healthz, /readyz, /metrics. Under
// /v1/ with a Bearer token: rule sets, customers, the audit log (reports
// and the RFM job: admin_reports.h).
// README.md ("Admin API") lists each with a curl example.
//
// The API starts before the store opens (so /healthz and /readyz answer
// during startup); the /v1/ endpoints answer 503 NOT_READY until Attach.
//
// Thread safety: on the io thread; the runtime's replies come from shard
// threads and go back through the router's Respond.
#pragma once

#include <atomic>
#include <string>

#include "adapters/http/router.h"
#include "adapters/rocksdb/audit_log.h"
#include "engine/runtime/runtime.h"
#include "tools/loyaltyd/metrics.h"
#include "tools/loyaltyd/rules_publisher.h"
#include "tools/wiring/register_front.h"

namespace loyalty {

// What /readyz says: ready when the store is open and takes writes (a full
// disk makes it refuse them: adapters/rocksdb/disk_guard.h), the rules are
// loaded and the server is not draining. Redis plays no part (it is a cache).
struct Readiness {
  std::atomic<bool> store_open{false};
  std::atomic<bool> rules_loaded{false};
  std::atomic<bool> draining{false};
  std::atomic<const Store*> store{nullptr};  // set while open
  bool ready() const { return why_not().empty(); }
  std::string why_not() const;  // "" when ready
};

class AdminApi {
 public:
  AdminApi(Readiness& readiness, Metrics& metrics, std::function<void()> sample_metrics);
  void AddRoutes(http::Router& router);
  void Attach(Runtime* runtime, RegisterFront* front, RulesPublisher* publisher, AuditLog* audit);

 private:
  void Rulesets(const http::Request& r, http::Respond respond);
  void Ruleset(const http::Request& r, http::Respond respond);
  void Upload(const http::Request& r, http::Respond respond);
  void Activate(const http::Request& r, http::Respond respond);
  void Rollback(const http::Request& r, http::Respond respond);
  void Customer(const http::Request& r, http::Respond respond);
  void Adjust(const http::Request& r, http::Respond respond);
  void Audit(const http::Request& r, http::Respond respond);
  bool Attached(const http::Respond& respond) const;
  // The version the path names; else responds (400, 404) and returns none.
  std::optional<StoredRuleSet> Find(const http::Request& r, const http::Respond& respond) const;

  Readiness& readiness_;
  Metrics& metrics_;
  std::function<void()> sample_metrics_;
  Runtime* runtime_ = nullptr;
  RegisterFront* front_ = nullptr;  // lookups and adjustments, as a register sends them
  RulesPublisher* publisher_ = nullptr;
  AuditLog* audit_ = nullptr;
};

}  // namespace loyalty
