// AdminEvents: the admin API's view of events out (docs/EVENTS.md "Events
// out"; README.md "Admin API"):
//   GET  /v1/events/out            whether a webhook is set, what is waiting,
//                                  delivered, failing, and the dead letters
//                                  (?limit=50, oldest first)
//   POST /v1/events/out/redeliver  every dead letter back into the outbox,
//                                  after what waits there (admin); audited
//                                  (events.redeliver)
// The /v1/ endpoints answer 503 NOT_READY until Attach.
//
// Thread safety: routes on the io thread (the reads are a few keys).
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include "adapters/http/router.h"
#include "adapters/rocksdb/audit_log.h"
#include "adapters/rocksdb/store.h"
#include "tools/wiring/outbox_dispatcher.h"

namespace loyalty {

class AdminEvents {
 public:
  explicit AdminEvents(std::function<std::string()> why_not_ready);
  void AddRoutes(http::Router& router);
  // `dispatcher`: null when no webhook is configured.
  void Attach(Store* store, const OutboxDispatcher* dispatcher, AuditLog* audit);

 private:
  void Get(const http::Request& r, http::Respond respond);
  void Redeliver(const http::Request& r, http::Respond respond);

  std::function<std::string()> why_not_ready_;
  std::atomic<Store*> store_{nullptr};
  const OutboxDispatcher* dispatcher_ = nullptr;
  AuditLog* audit_ = nullptr;
};

}  // namespace loyalty
