#include "tools/loyaltyd/admin_api.h"

#include "tools/loyaltyd/admin_json.h"
#include "tools/report/format.h"

namespace loyalty {
namespace {

using admin::Json;
using admin::Ok;
using http::JsonError;
using http::Request;
using http::Respond;

}  // namespace

std::string Readiness::why_not() const {
  if (standby) {
    return "standby: this node copies the primary and sends registers to it (GET /v1/cluster)";
  }
  if (!store_open) return "the store is not open yet";
  if (const Store* s = store.load()) {
    if (const StoreHealth h = s->health(); !h.writable)
      return "the store refuses writes: " + h.reason;
  }
  if (!rules_loaded) return "the rules are not loaded yet";
  if (draining) return "draining: finishing accepted requests before stopping";
  return "";
}

AdminApi::AdminApi(Readiness& readiness, Metrics& metrics, std::function<void()> sample_metrics)
    : readiness_(readiness), metrics_(metrics), sample_metrics_(std::move(sample_metrics)) {}

void AdminApi::AddRoutes(http::Router& router) {
  router.Add({"GET", "/healthz", std::nullopt, [](const Request&, Respond respond) {
                respond(Ok({{"status", "alive"}}));
              }});
  router.Add({"GET", "/readyz", std::nullopt, [this](const Request&, Respond respond) {
                if (readiness_.ready()) return respond(Ok({{"status", "ready"}}));
                respond(JsonError(503, "NOT_READY", readiness_.why_not()));
              }});
  router.Add({"GET", "/metrics", std::nullopt, [this](const Request&, Respond respond) {
                sample_metrics_();
                respond({200, metrics_.Serialize(), "text/plain; version=0.0.4"});
              }});
  router.Add(
      {"GET", "/v1/audit", http::Permission::kAuditRead, [this](const Request& r, Respond respond) {
         if (audit_ == nullptr) {
           return respond(JsonError(503, "NOT_READY", readiness_.why_not()));
         }
         Audit(r, std::move(respond));
       }});
}

// ?limit=100&before=SEQ, and filters: who=NAME, action=PREFIX ("rules."),
// from_ms / to_ms. A filtered page reads at most kAuditScannedMax entries;
// next_before says where to go on.
void AdminApi::Audit(const Request& r, Respond respond) {
  uint64_t limit = 100, before = 0, from_ms = 0, to_ms = 0;
  for (auto [name, max, out] :
       {std::tuple{"limit", uint64_t{1000}, &limit}, std::tuple{"before", UINT64_MAX, &before},
        std::tuple{"from_ms", UINT64_MAX, &from_ms}, std::tuple{"to_ms", UINT64_MAX, &to_ms}}) {
    if (auto bad = admin::QueryNumber(r, name, 1, max, out)) return respond(*bad);
  }
  auto text = [&](const char* name) {
    const auto it = r.query.find(name);
    return it == r.query.end() ? std::string() : it->second;
  };
  const std::string who = text("who"), action = text("action");
  const bool filtered = !who.empty() || !action.empty() || from_ms != 0 || to_ms != 0;
  uint64_t scanned = 0, last_seq = 0;
  auto keep = [&](const store::v1::AuditEntry& e) {
    scanned += 1;
    last_seq = e.seq();
    return (who.empty() || e.who() == who) && e.action().rfind(action, 0) == 0 &&
           (from_ms == 0 || e.at_ms() >= static_cast<int64_t>(from_ms)) &&
           (to_ms == 0 || e.at_ms() < static_cast<int64_t>(to_ms));
  };
  auto entries = audit_.load()->List(limit, before, filtered ? AuditLog::Filter(keep) : nullptr,
                                     kAuditScannedMax);
  if (!entries.ok()) return respond(admin::FromStatus(entries.status()));
  Json list = Json::array();
  for (const auto& e : *entries) {
    list.push_back({{"seq", e.seq()},
                    {"at_ms", e.at_ms()},
                    {"at", report::IsoDateTime(e.at_ms(), 0)},
                    {"who", e.who()},
                    {"role", e.role()},
                    {"action", e.action()},
                    {"target", e.target()},
                    {"before_version", e.before_version()},
                    {"after_version", e.after_version()},
                    {"detail", e.detail()}});
  }
  Json j = {{"entries", list}};
  if (!entries->empty() && entries->size() == limit) {
    j["next_before"] = entries->back().seq();
  } else if (filtered && scanned >= kAuditScannedMax) {
    j["next_before"] = last_seq;  // nothing more matched in what was read: go on from there
  }
  respond(Ok(j));
}

}  // namespace loyalty
