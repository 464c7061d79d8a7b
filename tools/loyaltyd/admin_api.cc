#include "tools/loyaltyd/admin_api.h"

#include <charconv>
#include <chrono>
#include <nlohmann/json.hpp>

#include "tools/loyalty/render.h"

namespace loyalty {
namespace {

using http::JsonError;
using http::Request;
using http::Respond;
using http::Response;
using Json = nlohmann::json;

Response Ok(const Json& j, unsigned status = 200) { return {status, j.dump(2) + "\n"}; }

// A Status from the store or the publisher as an HTTP error.
Response FromStatus(const Status& s) {
  switch (s.code()) {
    case StatusCode::kNotFound: return JsonError(404, "NOT_FOUND", s.message());
    case StatusCode::kInvalidArgument: return JsonError(422, "INVALID", s.message());
    default: return JsonError(500, "STORE_FAILED", s.message());
  }
}

const char* StateName(store::v1::RuleSetState s) {
  switch (s) {
    case store::v1::DRAFT: return "draft";
    case store::v1::SCHEDULED: return "scheduled";
    case store::v1::ACTIVE: return "active";
    case store::v1::RETIRED: return "retired";
    default: return "unknown";
  }
}

Json VersionJson(const StoredRuleSet& v, bool with_text) {
  Json j = {{"version", v.version()},
            {"name", v.name()},
            {"author", v.author()},
            {"state", StateName(v.state())},
            {"created_ms", v.created_ms()},
            {"activated_by", v.activated_by()},
            {"activated_ms", v.activated_ms()}};
  if (v.state() == store::v1::SCHEDULED) j["activate_at_ms"] = v.activate_at_ms();
  if (with_text) j["yaml"] = v.yaml();
  return j;
}

std::optional<uint64_t> Number(const std::string& text) {
  uint64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

// The engine's error reply as HTTP: the wire code, with a status that says
// whose fault it is.
Response EngineError(const v1::Error& e, const std::string& message) {
  switch (e.code()) {
    case v1::UNKNOWN_CARD: return JsonError(404, "UNKNOWN_CARD", message);
    case v1::INVALID_FIELD: return JsonError(422, "INVALID_FIELD", message);
    case v1::DUPLICATE_DIFFERENT_PAYLOAD:
      return JsonError(409, "DUPLICATE_DIFFERENT_PAYLOAD", message);
    default: return JsonError(503, v1::ErrorCode_Name(e.code()), message);
  }
}

Actor ActorOf(const Request& r) { return {r.principal->name, http::RoleName(r.principal->role)}; }

}  // namespace

std::string Readiness::why_not() const {
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

void AdminApi::Attach(Runtime* runtime, RegisterFront* front, RulesPublisher* publisher,
                      AuditLog* audit) {
  runtime_ = runtime;
  front_ = front;
  publisher_ = publisher;
  audit_ = audit;
}

bool AdminApi::Attached(const Respond& respond) const {
  if (publisher_) return true;
  respond(JsonError(503, "NOT_READY", readiness_.why_not()));
  return false;
}

void AdminApi::AddRoutes(http::Router& router) {
  using P = http::Permission;
  auto bind = [this](void (AdminApi::*f)(const Request&, Respond)) {
    return [this, f](const Request& r, Respond respond) {
      if (Attached(respond)) (this->*f)(r, std::move(respond));
    };
  };
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
  router.Add({"GET", "/v1/rulesets", P::kRulesRead, bind(&AdminApi::Rulesets)});
  router.Add({"POST", "/v1/rulesets", P::kRulesDraft, bind(&AdminApi::Upload)});
  router.Add({"POST", "/v1/rulesets/rollback", P::kRulesPublish, bind(&AdminApi::Rollback)});
  router.Add({"GET", "/v1/rulesets/{version}", P::kRulesRead, bind(&AdminApi::Ruleset)});
  router.Add(
      {"POST", "/v1/rulesets/{version}/activate", P::kRulesPublish, bind(&AdminApi::Activate)});
  router.Add({"GET", "/v1/customers/{card}", P::kCustomersRead, bind(&AdminApi::Customer)});
  router.Add({"POST", "/v1/customers/{card}/adjust", P::kCustomersAdjust, bind(&AdminApi::Adjust)});
  router.Add({"GET", "/v1/audit", P::kAuditRead, bind(&AdminApi::Audit)});
  // Reports and the RFM job: admin_reports.h.
}

void AdminApi::Rulesets(const Request&, Respond respond) {
  auto all = publisher_->versions().List();
  if (!all.ok()) return respond(FromStatus(all.status()));
  Json list = Json::array();
  uint32_t active = 0;
  for (const auto& v : *all) {
    list.push_back(VersionJson(v, false));
    if (v.state() == store::v1::ACTIVE) active = v.version();
  }
  respond(Ok({{"active", active}, {"versions", list}}));
}

std::optional<StoredRuleSet> AdminApi::Find(const Request& r, const Respond& respond) const {
  const auto version = Number(r.params.at("version"));
  if (!version || *version > UINT32_MAX) {
    respond(JsonError(400, "BAD_VERSION", "version must be a whole number"));
    return std::nullopt;
  }
  auto v = publisher_->versions().Get(static_cast<uint32_t>(*version));
  if (!v.ok()) {
    respond(FromStatus(v.status()));
    return std::nullopt;
  }
  if (!v->has_value()) {
    respond(JsonError(404, "NOT_FOUND",
                      "rule set version " + r.params.at("version") + " does not exist"));
  }
  return std::move(*v);
}

void AdminApi::Ruleset(const Request& r, Respond respond) {
  if (auto v = Find(r, respond)) respond(Ok(VersionJson(*v, true)));
}

void AdminApi::Upload(const Request& r, Respond respond) {
  if (auto problems = publisher_->Validate(r.body); !problems.empty()) {
    Json list = Json::array();
    for (const auto& p : problems) {
      list.push_back({{"line", p.line}, {"column", p.column}, {"message", p.message}});
    }
    Json j = {{"code", "INVALID_RULES"},
              {"message", "the rules have " + std::to_string(problems.size()) +
                              " mistake(s); nothing was stored"},
              {"problems", list}};
    return respond(Ok(j, 422));
  }
  auto draft = publisher_->Upload(r.body, ActorOf(r));
  if (!draft.ok()) return respond(FromStatus(draft.status()));
  respond(Ok(VersionJson(*draft, false), 201));
}

void AdminApi::Activate(const Request& r, Respond respond) {
  const auto stored = Find(r, respond);
  if (!stored) return;
  // Four eyes: a publisher does not approve their own draft (admin may).
  if (r.principal->role == http::Role::kPublisher && stored->author() == r.principal->name &&
      !stored->was_active()) {
    return respond(JsonError(403, "OWN_DRAFT",
                             "version " + r.params.at("version") + " was uploaded by " +
                                 r.principal->name + "; another publisher must activate it"));
  }
  TimeMs at_ms = 0;
  if (!r.body.empty()) {
    const Json body = Json::parse(r.body, nullptr, false);
    if (body.is_discarded() || !body.is_object() || body.size() != 1 || !body.contains("at_ms") ||
        !body["at_ms"].is_number_integer()) {
      return respond(JsonError(400, "BAD_BODY",
                               "the body must be empty (activate now) or {\"at_ms\": "
                               "MILLISECONDS_SINCE_EPOCH}"));
    }
    at_ms = body.value("at_ms", TimeMs{0});
  }
  auto made = at_ms > 0 ? publisher_->Schedule(stored->version(), at_ms, ActorOf(r))
                        : publisher_->Activate(stored->version(), ActorOf(r), "rules.activate");
  if (!made.ok()) return respond(FromStatus(made.status()));
  respond(Ok(VersionJson(*made, false)));
}

void AdminApi::Rollback(const Request& r, Respond respond) {
  auto made = publisher_->Rollback(ActorOf(r));
  if (!made.ok()) return respond(FromStatus(made.status()));
  respond(Ok(VersionJson(*made, false)));
}

void AdminApi::Customer(const Request& r, Respond respond) {
  const std::string card = r.params.at("card");
  const bool masked = r.principal->role == http::Role::kCashier;
  v1::Request request;
  request.mutable_lookup()->set_card(card);
  front_->Handle(std::move(request), [respond, masked, card](std::string bytes) {
    v1::Reply reply;
    if (!reply.ParseFromString(bytes)) {
      return respond(JsonError(500, "INTERNAL", "the engine's reply does not decode"));
    }
    if (reply.has_error()) {
      // The engine's message names the card: say it again, masked for a cashier.
      const std::string shown = masked ? http::MaskCard(card) : card;
      const bool unknown = reply.error().code() == v1::UNKNOWN_CARD;
      return respond(EngineError(reply.error(), unknown  ? "card " + shown + " is not enrolled"
                                                : masked ? "the card number is not valid"
                                                         : reply.error().message()));
    }
    Json j = cli::ReplyToJson(reply)["profile"];
    if (masked) {
      j["customer_id"] = http::MaskCard(j["customer_id"].get<std::string>());
      for (auto& c : j["cards"]) c = http::MaskCard(c.get<std::string>());
    }
    respond(Ok(j));
  });
}

namespace {

// The body's fields, or the reason it is refused.
std::optional<std::string> ReadAdjust(const std::string& body, v1::Adjust* a) {
  const Json j = Json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return "the body must be a JSON object";
  for (const auto& [key, value] : j.items()) {
    if (key == "transaction_id" || key == "reason" || key == "set_tier") {
      if (!value.is_string()) return key + " must be a string";
    } else if (key == "points") {
      if (!value.is_number_integer()) return "points must be a whole number (negative: a debit)";
    } else {
      return key + " is not a field (transaction_id, points, reason, set_tier)";
    }
  }
  if (!j.contains("transaction_id")) return "transaction_id is missing (the retry key)";
  if (!j.contains("reason")) return "reason is missing (a reason code, e.g. goodwill)";
  a->set_transaction_id(j["transaction_id"]);
  a->set_reason(j["reason"]);
  a->set_points(j.value("points", int64_t{0}));
  a->set_set_tier(j.value("set_tier", std::string()));
  return std::nullopt;
}

Response AdjustReply(const v1::Reply& reply) {
  if (reply.has_error()) return EngineError(reply.error(), reply.error().message());
  Json decision = cli::ReplyToJson(reply)["decision"];
  // A refusal (not enough points to debit) is stored like a sale's: 409.
  return Ok(decision, reply.decision().outcome() == v1::APPLIED ? 200 : 409);
}

}  // namespace

void AdminApi::Adjust(const Request& r, Respond respond) {
  v1::Request request;
  v1::Adjust* a = request.mutable_adjust();
  if (auto bad = ReadAdjust(r.body, a)) return respond(JsonError(400, "BAD_BODY", *bad));
  const std::string card = r.params.at("card");
  a->set_card(card);
  a->set_operator_id(r.principal->name);
  a->set_event_time_ms(std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count());
  store::v1::AuditEntry audit;
  audit.set_who(r.principal->name);
  audit.set_role(http::RoleName(r.principal->role));
  audit.set_action("customers.adjust");
  audit.set_target("customer " + http::MaskCard(card));
  audit.set_at_ms(a->event_time_ms());
  audit.set_before_version(runtime_->rules()->version);
  audit.set_after_version(audit.before_version());
  audit.set_detail("transaction_id=" + a->transaction_id() +
                   " points=" + std::to_string(a->points()) + " reason=" + a->reason() +
                   (a->set_tier().empty() ? "" : " set_tier=" + a->set_tier()));
  // The reply comes on a shard thread; the audit entry is written before
  // the answer, so an acknowledged adjustment is always in the log (the
  // ledger entry itself also carries the operator and the reason).
  front_->Handle(std::move(request), [this, respond, audit](std::string bytes) mutable {
    v1::Reply reply;
    if (!reply.ParseFromString(bytes)) {
      return respond(JsonError(500, "INTERNAL", "the engine's reply does not decode"));
    }
    Response response = AdjustReply(reply);
    audit.set_detail(audit.detail() + " status=" + std::to_string(response.status));
    if (Status s = audit_->Append(audit); !s.ok()) {
      return respond(JsonError(500, "AUDIT_FAILED",
                               "the adjustment was decided but the audit log could not be "
                               "written: " +
                                   s.message() + "; resend the same transaction_id"));
    }
    respond(std::move(response));
  });
}

void AdminApi::Audit(const Request& r, Respond respond) {
  std::size_t limit = 100;
  uint64_t before = 0;
  if (auto it = r.query.find("limit"); it != r.query.end()) {
    auto n = Number(it->second);
    if (!n || *n < 1 || *n > 1000) {
      return respond(JsonError(400, "BAD_LIMIT", "limit must be a whole number from 1 to 1000"));
    }
    limit = *n;
  }
  if (auto it = r.query.find("before"); it != r.query.end()) {
    auto n = Number(it->second);
    if (!n) return respond(JsonError(400, "BAD_BEFORE", "before must be a sequence number"));
    before = *n;
  }
  auto entries = audit_->List(limit, before);
  if (!entries.ok()) return respond(FromStatus(entries.status()));
  Json list = Json::array();
  for (const auto& e : *entries) {
    list.push_back({{"seq", e.seq()},
                    {"at_ms", e.at_ms()},
                    {"who", e.who()},
                    {"role", e.role()},
                    {"action", e.action()},
                    {"target", e.target()},
                    {"before_version", e.before_version()},
                    {"after_version", e.after_version()},
                    {"detail", e.detail()}});
  }
  respond(Ok({{"entries", list}}));
}

}  // namespace loyalty
