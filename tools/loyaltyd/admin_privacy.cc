#include "tools/loyaltyd/admin_privacy.h"

#include <google/protobuf/util/json_util.h>

#include <set>

#include "loyalty/v1/store.pb.h"
#include "proto/store_codec.h"
#include "tools/loyaltyd/admin_json.h"
#include "tools/report/format.h"

namespace loyalty {
namespace {

using admin::Json;

// A stored record's bytes as the JSON of its protobuf message: every field,
// with the names the store uses.
template <typename Message>
Json StoredJson(const std::string& bytes) {
  Message m;
  if (!m.ParseFromString(bytes)) return Json(nullptr);
  std::string text;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  if (!google::protobuf::util::MessageToJsonString(m, &text, options).ok()) return Json(nullptr);
  return Json::parse(text, nullptr, false);
}

}  // namespace

void AdminPrivacy::Attach(Store* store, AuditLog* audit) {
  audit_ = audit;
  store_ = store;  // last: from here on requests are served
}

void AdminPrivacy::AddRoutes(http::Router& router) {
  router.Add(
      {"GET", "/v1/customers/{card}/export", http::Permission::kCustomersExport,
       [this](const http::Request& r, http::Respond respond) { Export(r, std::move(respond)); }});
}

void AdminPrivacy::Export(const http::Request& r, http::Respond respond) {
  Store* store = store_.load();
  if (!store) return respond(http::JsonError(503, "NOT_READY", why_not_ready_()));
  const std::string& card = r.params.at("card");
  auto id = store->GetCustomerIdForCard(card);
  if (!id.ok()) return respond(http::JsonError(500, "STORE_FAILED", id.status().message()));
  if (!id->has_value()) {
    return respond(
        http::JsonError(404, "UNKNOWN_CARD", "card " + http::MaskCard(card) + " is not enrolled"));
  }
  auto state = store->GetCustomer(**id);
  if (!state.ok()) return respond(http::JsonError(500, "STORE_FAILED", state.status().message()));
  if (!state->has_value()) {
    return respond(http::JsonError(
        404, "UNKNOWN_CARD", "the customer of card " + http::MaskCard(card) + " is not stored"));
  }
  const CustomerState& s = **state;
  const int64_t now = admin::WallNowMs();
  Json ledger = Json::array();
  std::set<std::string> txn_ids;
  const Status read = store->ForEachLedgerEntry(s.customer_id, [&](const LedgerEntry& e) {
    Json j = StoredJson<store::v1::LedgerEntry>(store_codec::EncodeLedgerEntry(e));
    j["seq"] = e.seq;
    j["at"] = report::IsoDateTime(e.at_ms, 0);
    ledger.push_back(std::move(j));
    if (!e.transaction_id.empty()) txn_ids.insert(e.transaction_id);
    return Status::Ok();
  });
  if (!read.ok()) return respond(http::JsonError(500, "STORE_FAILED", read.message()));
  Json transactions = Json::array();
  for (const std::string& t : txn_ids) {
    auto txn = store->GetTxn(t);
    if (!txn.ok()) return respond(http::JsonError(500, "STORE_FAILED", txn.status().message()));
    if (!txn->has_value()) continue;  // past the retention: only the ledger keeps it
    Json j = StoredJson<store::v1::Txn>(store_codec::EncodeTxn(**txn, 0));
    j["transaction_id"] = t;
    transactions.push_back(std::move(j));
  }
  Json events = Json::array();
  auto dead = store->ReadDeadLetters(SIZE_MAX);
  if (dead.ok()) {
    for (const Store::DeadLetter& d : *dead) {
      const Json e = Json::parse(d.event_json, nullptr, false);
      if (e.is_object() && e.value("subject", "") == s.customer_id) events.push_back(e);
    }
  }
  Json customer = StoredJson<store::v1::Customer>(store_codec::EncodeCustomer(s));
  const Json doc = {{"format", "loyalty.customer-export.v1"},
                    {"exported_at_ms", now},
                    {"exported_at", report::IsoDateTime(now, 0)},
                    {"customer_id", s.customer_id},
                    {"cards", s.cards},
                    {"customer", customer},
                    {"ledger", ledger},
                    {"transactions", transactions},
                    {"events_out_undelivered", events}};
  if (audit_) {
    (void)audit_->Append(admin::AuditEntryOf(*r.principal, "customers.export",
                                             "customer " + http::MaskCard(card), now));
  }
  http::Response response{200, doc.dump(2) + "\n"};
  response.headers.emplace_back("Content-Disposition",
                                "attachment; filename=\"customer-export.json\"");
  respond(std::move(response));
}

}  // namespace loyalty
