// AdminCustomers: the support desk's endpoints, as rows of the router's table
// (README.md "Admin API"):
//   GET  /v1/customers?q=TEXT&limit=N      cards and customer ids starting with TEXT
//   GET  /v1/customers/{card}              the profile a lookup shows (cashier: masked)
//   GET  /v1/customers/{card}/ledger?limit=N&before=SEQ
//                                          the statement: every ledger entry, newest
//                                          first, with the balance after it, the event
//                                          that caused it (kind, store, money) and the
//                                          rule; the lots and balances
//   POST /v1/customers/{card}/adjust       a manual credit or debit (admin)
//   POST /v1/customers/{card}/link         a second card for the customer
//   POST /v1/customers/{card}/merge        another customer moves into this one
// Search and statements read the store directly (one snapshot per page, so a
// page's balances agree with each other and with the state); the lookup and
// the adjustment go through the register front like any event.
//
// Thread safety: on the io thread; replies from shard threads.
#pragma once

#include <functional>
#include <string>

#include "adapters/http/router.h"
#include "adapters/rocksdb/audit_log.h"
#include "adapters/rocksdb/store.h"
#include "engine/runtime/runtime.h"
#include "tools/loyaltyd/worker.h"
#include "tools/wiring/register_front.h"

namespace loyalty {

class AdminCustomers {
 public:
  static constexpr std::size_t kSearchDefault = 20, kSearchMax = 100;
  static constexpr std::size_t kLedgerDefault = 50, kLedgerMax = 500;

  explicit AdminCustomers(std::function<std::string()> why_not_ready)
      : why_not_ready_(std::move(why_not_ready)) {}
  void AddRoutes(http::Router& router);
  // Removes a card's (and a customer's, when the id is given) copy from the
  // cache (ForgetInRedis).
  using ForgetFn = std::function<Status(const std::string& card, const std::string& customer_id)>;
  void Attach(Runtime* runtime, RegisterFront* front, Store* store, AuditLog* audit, Worker* worker,
              ForgetFn forget);

 private:
  void Search(const http::Request& r, http::Respond respond);
  void Lookup(const http::Request& r, http::Respond respond);
  void Ledger(const http::Request& r, http::Respond respond);
  void Adjust(const http::Request& r, http::Respond respond);
  void Consent(const http::Request& r, http::Respond respond);
  void Replace(const http::Request& r, http::Respond respond);
  void Link(const http::Request& r, http::Respond respond);
  void Merge(const http::Request& r, http::Respond respond);
  void Erase(const http::Request& r, http::Respond respond);
  // What follows an applied decision instead of answering it at once (on the
  // shard's thread: hand slow work to the worker).
  using Then = std::function<void(http::Response decided, http::Respond respond)>;
  // Sends `request` (an adjustment, a consent, ...) through the register
  // front with its audit entry, written in the batch of its decision.
  void SubmitAudited(const http::Request& r, v1::Request request, const char* action,
                     const std::string& card, const std::string& detail, http::Respond respond,
                     Then then = nullptr);

  std::function<std::string()> why_not_ready_;
  Runtime* runtime_ = nullptr;
  RegisterFront* front_ = nullptr;  // lookups and adjustments, as a register sends them
  Store* store_ = nullptr;
  AuditLog* audit_ = nullptr;
  Worker* worker_ = nullptr;
  ForgetFn forget_;
};

}  // namespace loyalty
