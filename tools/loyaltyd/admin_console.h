// AdminConsole: the web console's own endpoints, as rows of the router's
// table:
//   GET    /  and  /console/{file}   the console (console/web, compiled in)
//   POST   /v1/session               sign in with an admin token: a session
//                                    cookie and a CSRF token (session.h)
//   GET    /v1/session               who is signed in, what they may do
//   DELETE /v1/session               sign out
//   GET    /v1/overview              the numbers on the console's first page:
//                                    customers, points outstanding and their
//                                    value (the liability), today's points
//                                    issued and redeemed, events, readiness,
//                                    the cache
// The overview reads every customer and ledger entry on the worker thread;
// it is kept overview_max_age_ms and shared by everyone asking meanwhile.
//
// Thread safety: routes on the io thread; the overview job on the worker.
#pragma once

#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "adapters/http/router.h"
#include "adapters/rocksdb/audit_log.h"
#include "adapters/rocksdb/store.h"
#include "engine/runtime/runtime.h"
#include "tools/loyaltyd/worker.h"

namespace loyalty {

class AdminConsole {
 public:
  static constexpr int64_t kOverviewMaxAgeMs = 30'000;
  // What only the daemon knows, now: readiness, events, the cache.
  using LiveFn = std::function<nlohmann::json()>;

  AdminConsole(const http::Router& router, std::function<std::string()> why_not_ready, LiveFn live)
      : router_(router), why_not_ready_(std::move(why_not_ready)), live_(std::move(live)) {}
  void AddRoutes(http::Router& router);
  void Attach(Runtime* runtime, Store* store, AuditLog* audit, Worker* worker);

 private:
  void Asset(const http::Request& r, http::Respond respond) const;
  void SignIn(const http::Request& r, http::Respond respond);
  void Who(const http::Request& r, http::Respond respond) const;
  void SignOut(const http::Request& r, http::Respond respond);
  void Overview(const http::Request& r, http::Respond respond);
  nlohmann::json CountAll() const;  // on the worker

  const http::Router& router_;
  std::function<std::string()> why_not_ready_;
  LiveFn live_;
  Runtime* runtime_ = nullptr;
  Store* store_ = nullptr;
  AuditLog* audit_ = nullptr;
  Worker* worker_ = nullptr;
  std::mutex mu_;
  std::optional<nlohmann::json> counted_;  // the latest CountAll, with its as_of_ms
};

}  // namespace loyalty
