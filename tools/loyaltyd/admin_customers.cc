#include "tools/loyaltyd/admin_customers.h"

#include <algorithm>
#include <chrono>

#include "tools/loyaltyd/admin_json.h"
#include "tools/loyaltyd/statement.h"
#include "tools/report/format.h"

namespace loyalty {
namespace {

using admin::Json;
using admin::Ok;
using http::JsonError;
using http::Request;
using http::Respond;
using http::Response;

// The body's fields, or the reason it is refused.
std::optional<std::string> ReadAdjust(const Json& j, v1::Adjust* a) {
  if (!j.is_object()) return "the body must be a JSON object";
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

// {"transaction_id": ..., "marketing": true|false, "source": "web-form"}
std::optional<std::string> ReadConsent(const Json& j, v1::Consent* c) {
  if (!j.is_object()) return "the body must be a JSON object";
  for (const auto& [key, value] : j.items()) {
    if (key == "transaction_id" || key == "source") {
      if (!value.is_string()) return key + " must be a string";
    } else if (key == "marketing") {
      if (!value.is_boolean()) return "marketing must be true (yes to marketing) or false (no)";
    } else {
      return key + " is not a field (transaction_id, marketing, source)";
    }
  }
  if (!j.contains("transaction_id")) return "transaction_id is missing (the retry key)";
  if (!j.contains("marketing")) return "marketing is missing: true (yes) or false (no)";
  if (!j.contains("source")) {
    return "source is missing: where the customer said it (e.g. web-form, phone, letter)";
  }
  c->set_transaction_id(j["transaction_id"]);
  c->set_marketing(j["marketing"].get<bool>());
  c->set_source(j["source"]);
  return std::nullopt;
}

// The body has exactly these string fields.
std::optional<std::string> ReadFields(const Json& j, const std::vector<std::string>& names) {
  if (!j.is_object()) return "the body must be a JSON object";
  std::string list;
  for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
  for (const auto& [key, value] : j.items()) {
    if (std::find(names.begin(), names.end(), key) == names.end()) {
      return key + " is not a field (" + list + ")";
    }
    if (!value.is_string()) return key + " must be a string";
  }
  for (const std::string& n : names) {
    if (!j.contains(n)) return n + " is missing (" + list + " are required)";
  }
  return std::nullopt;
}

Response DecisionReply(const v1::Reply& reply, const cli::Display& display) {
  if (reply.has_error()) return admin::EngineError(reply.error(), reply.error().message());
  Json decision = cli::ReplyToJson(reply, display)["decision"];
  // A refusal (not enough points to debit) is stored like a sale's: 409.
  return Ok(decision, reply.decision().outcome() == v1::APPLIED ? 200 : 409);
}

// One search hit: the card that matched (or the id), and who it is.
Json MatchJson(const CustomerMatch& m, const CustomerState& s, const RuleSet& rules,
               TimeMs now_ms) {
  Json j = {{"card", m.card.empty() ? (s.cards.empty() ? "" : s.cards.front()) : m.card},
            {"matched", m.card.empty() ? "customer_id" : "card"},
            {"customer_id", s.customer_id},
            {"cards", s.cards},
            {"tier", s.tier},
            {"balance", BalancesAt(s, now_ms).balance},
            {"visits", s.visits},
            {"spend_minor", s.spend_minor},
            {"currency", rules.program.currency}};
  if (s.last_purchase_ms != 0) {
    j["last_purchase_date"] = report::IsoDate(s.last_purchase_ms, rules.program.utc_offset_minutes);
  }
  return j;
}

}  // namespace

void AdminCustomers::Attach(Runtime* runtime, RegisterFront* front, Store* store, AuditLog* audit,
                            Worker* worker, ForgetFn forget) {
  worker_ = worker;
  forget_ = std::move(forget);
  runtime_ = runtime;
  front_ = front;
  audit_ = audit;
  store_ = store;
}

void AdminCustomers::AddRoutes(http::Router& router) {
  using P = http::Permission;
  auto bind = [this](void (AdminCustomers::*f)(const Request&, Respond)) {
    return admin::Bind(
        this, f, [this] { return store_ != nullptr; }, why_not_ready_);
  };
  router.Add({"GET", "/v1/customers", P::kCustomersStory, bind(&AdminCustomers::Search)});
  router.Add({"GET", "/v1/customers/{card}", P::kCustomersRead, bind(&AdminCustomers::Lookup)});
  router.Add(
      {"GET", "/v1/customers/{card}/ledger", P::kCustomersStory, bind(&AdminCustomers::Ledger)});
  router.Add(
      {"POST", "/v1/customers/{card}/adjust", P::kCustomersAdjust, bind(&AdminCustomers::Adjust)});
  router.Add({"POST", "/v1/customers/{card}/consent", P::kCustomersConsent,
              bind(&AdminCustomers::Consent)});
  router.Add({"POST", "/v1/customers/{card}/replace", P::kCustomersAdjust,
              bind(&AdminCustomers::Replace)});
  router.Add(
      {"POST", "/v1/customers/{card}/erase", P::kCustomersErase, bind(&AdminCustomers::Erase)});
  router.Add(
      {"POST", "/v1/customers/{card}/link", P::kCustomersAdjust, bind(&AdminCustomers::Link)});
  router.Add(
      {"POST", "/v1/customers/{card}/merge", P::kCustomersAdjust, bind(&AdminCustomers::Merge)});
}

void AdminCustomers::Search(const Request& r, Respond respond) {
  const auto q = r.query.find("q");
  if (q == r.query.end() || q->second.size() < 2 || q->second.size() > limits::kIdBytesMax) {
    return respond(JsonError(400, "BAD_QUERY",
                             "q must be 2 to " + std::to_string(limits::kIdBytesMax) +
                                 " characters: the start of a card number or customer id"));
  }
  uint64_t limit = kSearchDefault;
  if (auto bad = admin::QueryNumber(r, "limit", 1, kSearchMax, &limit)) return respond(*bad);
  auto found = store_->FindCustomers(q->second, limit + 1);
  if (!found.ok()) return respond(admin::FromStatus(found.status()));
  const auto rules = runtime_->rules();
  const TimeMs now_ms = runtime_->now();
  Json matches = Json::array();
  for (std::size_t i = 0; i < found->size() && i < limit; ++i) {
    auto state = store_->GetCustomer((*found)[i].customer_id);
    if (!state.ok()) return respond(admin::FromStatus(state.status()));
    if (!state->has_value()) continue;  // a card whose customer is being written
    matches.push_back(MatchJson((*found)[i], **state, *rules, now_ms));
  }
  respond(Ok({{"query", q->second}, {"matches", matches}, {"more", found->size() > limit}}));
}

void AdminCustomers::Lookup(const Request& r, Respond respond) {
  const std::string card = r.params.at("card");
  const bool masked = r.principal->role == http::Role::kCashier;
  const cli::Display display = admin::DisplayOf(*runtime_->rules());
  v1::Request request;
  request.mutable_lookup()->set_card(card);
  front_->Handle(std::move(request), [respond, masked, card, display](std::string bytes) {
    v1::Reply reply;
    if (!reply.ParseFromString(bytes)) {
      return respond(JsonError(500, "INTERNAL", "the engine's reply does not decode"));
    }
    if (reply.has_error()) {
      // The engine's message names the card: say it again, masked for a cashier.
      const std::string shown = masked ? http::MaskCard(card) : card;
      const bool unknown = reply.error().code() == v1::UNKNOWN_CARD;
      return respond(admin::EngineError(reply.error(), unknown
                                                           ? "card " + shown + " is not enrolled"
                                                       : masked ? "the card number is not valid"
                                                                : reply.error().message()));
    }
    Json j = cli::ReplyToJson(reply, display)["profile"];
    if (masked) {
      j["customer_id"] = http::MaskCard(j["customer_id"].get<std::string>());
      for (auto& c : j["cards"]) c = http::MaskCard(c.get<std::string>());
    }
    respond(Ok(j));
  });
}

void AdminCustomers::Ledger(const Request& r, Respond respond) {
  const std::string& card = r.params.at("card");
  uint64_t limit = kLedgerDefault, before = 0;
  if (auto bad = admin::QueryNumber(r, "limit", 1, kLedgerMax, &limit)) return respond(*bad);
  if (auto bad = admin::QueryNumber(r, "before", 1, UINT64_MAX, &before)) return respond(*bad);
  auto id = store_->GetCustomerIdForCard(card);
  if (!id.ok()) return respond(admin::FromStatus(id.status()));
  if (!id->has_value()) {
    return respond(JsonError(404, "UNKNOWN_CARD", "card " + card + " is not enrolled"));
  }
  auto page = store_->ReadLedgerPage(**id, before, limit);
  if (!page.ok()) return respond(admin::FromStatus(page.status()));
  if (!page->state) {
    return respond(JsonError(404, "UNKNOWN_CARD", "card " + card + " has no customer record"));
  }
  Json j = StatementJson(*page, *runtime_->rules(), runtime_->now());
  j["card"] = card;
  respond(Ok(j));
}

void AdminCustomers::Adjust(const Request& r, Respond respond) {
  v1::Request request;
  v1::Adjust* a = request.mutable_adjust();
  Json body;
  if (auto bad = admin::ParseBody(r.body, &body)) return respond(*bad);
  if (auto bad = ReadAdjust(body, a)) return respond(JsonError(400, "BAD_BODY", *bad));
  const std::string card = r.params.at("card");
  a->set_card(card);
  a->set_operator_id(r.principal->name);
  a->set_event_time_ms(admin::WallNowMs());
  SubmitAudited(r, std::move(request), "customers.adjust", card,
                "transaction_id=" + a->transaction_id() + " points=" + std::to_string(a->points()) +
                    " reason=" + a->reason() +
                    (a->set_tier().empty() ? "" : " set_tier=" + a->set_tier()),
                std::move(respond));
}

void AdminCustomers::Consent(const Request& r, Respond respond) {
  v1::Request request;
  v1::Consent* c = request.mutable_consent();
  Json body;
  if (auto bad = admin::ParseBody(r.body, &body)) return respond(*bad);
  if (auto bad = ReadConsent(body, c)) return respond(JsonError(400, "BAD_BODY", *bad));
  const std::string card = r.params.at("card");
  c->set_card(card);
  c->set_event_time_ms(admin::WallNowMs());
  SubmitAudited(r, std::move(request), "customers.consent", card,
                "transaction_id=" + c->transaction_id() +
                    " marketing=" + (c->marketing() ? "yes" : "no") + " source=" + c->source(),
                std::move(respond));
}

void AdminCustomers::SubmitAudited(const Request& r, v1::Request request, const char* action,
                                   const std::string& card, const std::string& detail,
                                   Respond respond, Then then) {
  store::v1::AuditEntry audit = admin::AuditEntryOf(
      *r.principal, action, "customer " + http::MaskCard(card), admin::WallNowMs());
  audit.set_before_version(runtime_->rules()->version);
  audit.set_after_version(audit.before_version());
  audit.set_detail(detail);
  const cli::Display display = admin::DisplayOf(*runtime_->rules());
  // The audit entry travels with the event and is written in the batch of
  // its decision (on the shard's thread): no adjustment without its entry,
  // even if the process dies right after the commit, and a retry (answered
  // from the stored decision) writes none, so a retried adjustment is audited
  // once. A refusal that stores nothing (an unknown card) changes nothing and
  // is not audited (the refusal is logged).
  AuditLog* log = audit_;
  auto with_commit = [log, audit](const Decision& decision) {
    store::v1::AuditEntry entry = audit;
    const bool applied = decision.outcome == Outcome::kApplied;
    entry.set_detail(entry.detail() + " status=" + (applied ? "200" : "409"));
    return CommitRecords{log->Stage(entry)};
  };
  front_->Handle(
      std::move(request),
      [respond, display, then = std::move(then)](std::string bytes) {
        v1::Reply reply;
        if (!reply.ParseFromString(bytes)) {
          return respond(JsonError(500, "INTERNAL", "the engine's reply does not decode"));
        }
        const bool applied = reply.has_decision() && reply.decision().outcome() == v1::APPLIED;
        if (applied && then) return then(DecisionReply(reply, display), respond);
        respond(DecisionReply(reply, display));
      },
      std::move(with_commit));
}

void AdminCustomers::Replace(const Request& r, Respond respond) {
  v1::Request request;
  v1::ReplaceCard* m = request.mutable_replace_card();
  Json body;
  if (auto bad = admin::ParseBody(r.body, &body)) return respond(*bad);
  if (auto bad = ReadFields(body, {"transaction_id", "new_card", "reason"})) {
    return respond(JsonError(400, "BAD_BODY", *bad));
  }
  const std::string card = r.params.at("card");
  m->set_transaction_id(body["transaction_id"]);
  m->set_card(card);
  m->set_new_card(body["new_card"]);
  m->set_reason(body["reason"]);
  m->set_operator_id(r.principal->name);
  m->set_event_time_ms(admin::WallNowMs());
  // The old card's snapshot goes from the cache (the new one is published
  // with the commit), on the worker: it may wait for Redis.
  auto forget = [this, card](Response decided, Respond respond) {
    const bool queued = worker_->Queue(
        [this, card, decided, respond] {
          (void)forget_(card, "");  // a cache that is down is resynced when it is back
          respond(decided);
        },
        respond);
    if (!queued) respond(decided);
  };
  SubmitAudited(r, std::move(request), "customers.replace", card,
                "transaction_id=" + m->transaction_id() +
                    " new_card=" + http::MaskCard(m->new_card()) + " reason=" + m->reason(),
                std::move(respond), std::move(forget));
}

// A second card, as a till links one at enrolment (Enroll.link_to_card).
void AdminCustomers::Link(const Request& r, Respond respond) {
  v1::Request request;
  v1::Enroll* m = request.mutable_enroll();
  Json body;
  if (auto bad = admin::ParseBody(r.body, &body)) return respond(*bad);
  if (auto bad = ReadFields(body, {"new_card"})) return respond(JsonError(400, "BAD_BODY", *bad));
  const std::string card = r.params.at("card");
  m->set_card(body["new_card"]);
  m->set_link_to_card(card);
  SubmitAudited(r, std::move(request), "customers.link", card,
                "new_card=" + http::MaskCard(m->card()), std::move(respond));
}

void AdminCustomers::Merge(const Request& r, Respond respond) {
  v1::Request request;
  v1::Merge* m = request.mutable_merge();
  Json body;
  if (auto bad = admin::ParseBody(r.body, &body)) return respond(*bad);
  if (auto bad = ReadFields(body, {"transaction_id", "merged_card", "reason"})) {
    return respond(JsonError(400, "BAD_BODY", *bad));
  }
  const std::string card = r.params.at("card");
  m->set_transaction_id(body["transaction_id"]);
  m->set_card(card);
  m->set_merged_card(body["merged_card"]);
  m->set_reason(body["reason"]);
  m->set_operator_id(r.principal->name);
  m->set_event_time_ms(admin::WallNowMs());
  SubmitAudited(r, std::move(request), "customers.merge", card,
                "transaction_id=" + m->transaction_id() +
                    " merged_card=" + http::MaskCard(m->merged_card()) + " reason=" + m->reason(),
                std::move(respond));
}

void AdminCustomers::Erase(const Request& r, Respond respond) {
  v1::Request request;
  v1::Erase* m = request.mutable_erase();
  Json body;
  if (auto bad = admin::ParseBody(r.body, &body)) return respond(*bad);
  if (auto bad = ReadFields(body, {"transaction_id", "reason"})) {
    return respond(JsonError(400, "BAD_BODY", *bad));
  }
  const std::string card = r.params.at("card");
  auto id = store_->GetCustomerIdForCard(card);
  if (!id.ok()) return respond(admin::FromStatus(id.status()));
  const std::string customer_id = id->value_or("");
  m->set_transaction_id(body["transaction_id"]);
  m->set_card(card);
  m->set_reason(body["reason"]);
  m->set_operator_id(r.principal->name);
  m->set_event_time_ms(admin::WallNowMs());
  // Then, on the worker: the cache's copy goes, and the store is rewritten
  // without what was deleted (the answer waits for it: when it says 200,
  // nothing of the customer is left on the disk but in backups).
  auto scrub = [this, card, customer_id](Response decided, Respond respond) {
    const bool queued = worker_->Queue(
        [this, card, customer_id, decided, respond]() mutable {
          const Status cache = forget_(card, customer_id);
          const Status disk = store_->Scrub();
          if (!disk.ok()) return respond(admin::FromStatus(disk));
          Json j = Json::parse(decided.body, nullptr, false);
          j["scrubbed"] = true;
          j["cache_cleared"] = cache.ok();
          if (!cache.ok()) j["cache_error"] = cache.message();
          respond(Ok(j));
        },
        respond);
    if (!queued) respond(JsonError(503, "BUSY", "erased, but the scrub could not start; retry"));
  };
  SubmitAudited(r, std::move(request), "customers.erase", card,
                "transaction_id=" + m->transaction_id() + " reason=" + m->reason(),
                std::move(respond), std::move(scrub));
}

}  // namespace loyalty
