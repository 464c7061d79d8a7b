#include "tools/loyaltyd/admin_events.h"

#include <chrono>
#include <nlohmann/json.hpp>

#include "tools/loyaltyd/admin_json.h"
#include "tools/report/format.h"

namespace loyalty {
namespace {

using http::JsonError;
using http::Request;
using http::Respond;
using Json = nlohmann::json;

}  // namespace

AdminEvents::AdminEvents(std::function<std::string()> why_not_ready)
    : why_not_ready_(std::move(why_not_ready)) {}

void AdminEvents::Attach(Store* store, const OutboxDispatcher* dispatcher, AuditLog* audit) {
  dispatcher_ = dispatcher;
  audit_ = audit;
  store_ = store;  // last: from here on requests are served
}

void AdminEvents::AddRoutes(http::Router& router) {
  using P = http::Permission;
  router.Add({"GET", "/v1/events/out", P::kEventsRead,
              [this](const Request& r, Respond respond) { Get(r, std::move(respond)); }});
  router.Add({"POST", "/v1/events/out/redeliver", P::kEventsRedeliver,
              [this](const Request& r, Respond respond) { Redeliver(r, std::move(respond)); },
              /*settles=*/true});
}

void AdminEvents::Get(const Request& r, Respond respond) {
  Store* store = store_.load();
  if (!store) return respond(JsonError(503, "NOT_READY", why_not_ready_()));
  std::size_t limit = 50;
  if (auto l = r.query.find("limit"); l != r.query.end()) {
    char* end = nullptr;
    const long n = std::strtol(l->second.c_str(), &end, 10);
    if (l->second.empty() || *end != '\0' || n < 1 || n > 1000) {
      return respond(
          JsonError(400, "INVALID_FIELD", "limit must be a whole number from 1 to 1000"));
    }
    limit = static_cast<std::size_t>(n);
  }
  auto dead = store->ReadDeadLetters(limit);
  if (!dead.ok()) return respond(JsonError(500, "STORE_FAILED", dead.status().message()));
  Json letters = Json::array();
  for (const Store::DeadLetter& d : *dead) {
    const Json event = Json::parse(d.event_json, nullptr, false);
    letters.push_back({{"seq", d.seq},
                       {"id", event.is_object() ? event.value("id", "") : ""},
                       {"type", event.is_object() ? event.value("type", "") : ""},
                       {"error", d.error},
                       {"tries", d.tries},
                       {"at_ms", d.at_ms},
                       {"at", report::IsoDateTime(d.at_ms, 0)},
                       {"event", event.is_discarded() ? Json(d.event_json) : event}});
  }
  Json j = {{"configured", dispatcher_ != nullptr}, {"staged", store->outbox_last_seq()}};
  if (dispatcher_) {
    const DispatcherStats s = dispatcher_->stats();
    j["backlog"] = s.backlog;
    j["delivered"] = s.delivered;
    j["failures"] = s.failures;
    j["dead_lettered"] = s.dead_lettered;
    j["oldest_age_ms"] = s.oldest_age_ms;
    j["last_error"] = s.last_error.empty() ? Json(nullptr) : Json(s.last_error);
  }
  j["dead_letters"] = letters;
  respond({200, j.dump(2) + "\n"});
}

void AdminEvents::Redeliver(const Request& r, Respond respond) {
  Store* store = store_.load();
  if (!store) return respond(JsonError(503, "NOT_READY", why_not_ready_()));
  auto moved = store->RedeliverDeadLetters();
  if (!moved.ok()) return respond(JsonError(500, "STORE_FAILED", moved.status().message()));
  if (audit_) {
    (void)audit_->Append(admin::AuditEntryOf(*r.principal, "events.redeliver",
                                             std::to_string(*moved) + " dead letters",
                                             admin::WallNowMs()));
  }
  respond({200, Json({{"redelivered", *moved}}).dump(2) + "\n"});
}

}  // namespace loyalty
