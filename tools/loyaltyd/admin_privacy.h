// AdminPrivacy: a customer's data protection requests (GDPR articles 15 and
// 20), as rows of the router's table (README.md "Admin API"):
//   GET /v1/customers/{card}/export   everything the engine holds about the
//                                     customer, as one JSON document (admin;
//                                     audited customers.export)
// The document holds the stored customer record field by field (the store's
// own protobuf message in its JSON form, so no field is left out when one
// is added), every card, every ledger entry and every transaction record
// still kept, and the events out waiting or given up on that name them.
//
// Thread safety: on the io thread (a customer's records are a few keys).
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include "adapters/http/router.h"
#include "adapters/rocksdb/audit_log.h"
#include "adapters/rocksdb/store.h"

namespace loyalty {

class AdminPrivacy {
 public:
  explicit AdminPrivacy(std::function<std::string()> why_not_ready)
      : why_not_ready_(std::move(why_not_ready)) {}
  void AddRoutes(http::Router& router);
  void Attach(Store* store, AuditLog* audit);

 private:
  void Export(const http::Request& r, http::Respond respond);

  std::function<std::string()> why_not_ready_;
  std::atomic<Store*> store_{nullptr};
  AuditLog* audit_ = nullptr;
};

}  // namespace loyalty
