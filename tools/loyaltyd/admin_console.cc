#include "tools/loyaltyd/admin_console.h"

#include <unordered_set>

#include "console/assets.h"
#include "tools/loyaltyd/admin_json.h"
#include "tools/report/format.h"

namespace loyalty {
namespace {

using admin::Json;
using admin::Ok;
using http::JsonError;
using http::Request;
using http::Respond;
using http::Response;

constexpr int64_t kDayMs = 86'400'000;
constexpr int64_t kSessionSeconds = 12 * 60 * 60;

std::string SessionCookie(const std::string& value, int64_t max_age_s) {
  // HttpOnly: no script reads it. SameSite=Strict: no other site's page
  // sends it. Secure: never over plain HTTP but to this machine (browsers
  // count 127.0.0.1 and localhost as secure).
  return std::string(http::kSessionCookie) + "=" + value +
         "; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=" + std::to_string(max_age_s);
}

Json WhoJson(const http::Principal& p) {
  Json may = Json::object();
  for (const auto& [key, allowed] : http::PermissionsOf(p.role)) may[key] = allowed;
  return {{"name", p.name}, {"role", http::RoleName(p.role)}, {"may", may}};
}

int64_t NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

void AdminConsole::Attach(Runtime* runtime, Store* store, AuditLog* audit, Worker* worker) {
  runtime_ = runtime;
  audit_ = audit;
  worker_ = worker;
  store_ = store;
}

void AdminConsole::AddRoutes(http::Router& router) {
  using P = http::Permission;
  auto asset = [this](const Request& r, Respond respond) { Asset(r, std::move(respond)); };
  router.Add({"GET", "/", std::nullopt, asset});
  router.Add({"GET", "/console/{file}", std::nullopt, asset});
  router.Add({"POST", "/v1/session", std::nullopt,
              [this](const Request& r, Respond respond) { SignIn(r, std::move(respond)); }});
  router.Add({"GET", "/v1/session", P::kSignedIn,
              [this](const Request& r, Respond respond) { Who(r, std::move(respond)); }});
  router.Add({"DELETE", "/v1/session", P::kSignedIn,
              [this](const Request& r, Respond respond) { SignOut(r, std::move(respond)); }});
  router.Add({"GET", "/v1/overview", P::kReportsRead, [this](const Request& r, Respond respond) {
                if (store_ == nullptr) {
                  return respond(JsonError(503, "NOT_READY", why_not_ready_()));
                }
                Overview(r, std::move(respond));
              }});
}

void AdminConsole::Asset(const Request& r, Respond respond) const {
  const std::string path = r.path == "/" ? "/index.html" : "/" + r.params.at("file");
  for (const console::Asset& a : console::Assets()) {
    if (a.path == path) {
      return respond({200, std::string(a.body), std::string(a.content_type)});
    }
  }
  respond(JsonError(404, "NOT_FOUND", "the console has no file " + path));
}

void AdminConsole::SignIn(const Request& r, Respond respond) {
  // A JSON body: a form of another site cannot send one without the
  // browser asking this server first (CORS), which it never allows.
  if (r.content_type.rfind("application/json", 0) != 0) {
    return respond(JsonError(415, "BAD_CONTENT_TYPE", "sign in with a JSON body {\"token\": T}"));
  }
  Json j;
  if (auto bad = admin::ParseBody(r.body, &j)) return respond(*bad);
  if (!j.is_object() || !j.contains("token") || !j["token"].is_string()) {
    return respond(JsonError(400, "BAD_BODY", "the body must be {\"token\": YOUR_ADMIN_TOKEN}"));
  }
  const auto who = router_.FindToken(j["token"].get<std::string>());
  if (!who) return respond(JsonError(401, "UNAUTHENTICATED", "unknown token"));
  const http::ConsoleSession s = router_.sessions().Create(*who, NowMs());
  if (audit_ != nullptr) {
    // A sign-in goes on even if its line cannot be written.
    (void)audit_->Append(admin::AuditEntryOf(*who, "session.signin", "console", s.created_ms));
  }
  Json body = WhoJson(*who);
  body["csrf"] = s.csrf;
  Response response = Ok(body);
  response.headers.emplace_back("Set-Cookie", SessionCookie(s.id, kSessionSeconds));
  respond(std::move(response));
}

void AdminConsole::Who(const Request& r, Respond respond) const {
  Json body = WhoJson(*r.principal);
  if (!r.session_id.empty()) {
    if (auto s = router_.sessions().Find(r.session_id, NowMs())) body["csrf"] = s->csrf;
  }
  respond(Ok(body));
}

void AdminConsole::SignOut(const Request& r, Respond respond) {
  if (!r.session_id.empty()) router_.sessions().Remove(r.session_id);
  Response response = Ok({{"signed_out", r.principal->name}});
  response.headers.emplace_back("Set-Cookie", SessionCookie("", 0));
  respond(std::move(response));
}

void AdminConsole::Overview(const Request&, Respond respond) {
  const TimeMs now_ms = runtime_->now();
  Json live = live_();
  {
    std::lock_guard lock(mu_);
    if (counted_ && now_ms - (*counted_)["as_of_ms"].get<int64_t>() < kOverviewMaxAgeMs) {
      live["counts"] = *counted_;
      return respond(Ok(live));
    }
  }
  worker_->Queue(
      [this, respond, live]() mutable {
        Json counted = CountAll();
        if (counted.contains("code")) return respond(Ok(counted, 500));
        {
          std::lock_guard lock(mu_);
          counted_ = counted;
        }
        live["counts"] = std::move(counted);
        respond(Ok(live));
      },
      respond);
}

Json AdminConsole::CountAll() const {
  const auto rules = runtime_->rules();
  const TimeMs now_ms = runtime_->now();
  const int64_t offset_ms = int64_t{rules->program.utc_offset_minutes} * 60'000;
  const TimeMs today_ms = (now_ms + offset_ms) / kDayMs * kDayMs - offset_ms;  // local midnight
  uint64_t customers = 0;
  int64_t outstanding = 0, spendable = 0, pending = 0;
  std::map<std::string, uint64_t> tiers;
  Status read = store_->ForEachCustomer([&](const CustomerState& s) {
    const Balances b = BalancesAt(s, now_ms);
    customers += 1;
    outstanding += b.balance;
    spendable += b.spendable;
    pending += b.pending;
    tiers[s.tier] += 1;
    return Status::Ok();
  });
  int64_t issued = 0, redeemed = 0, expired = 0, reversed = 0, adjusted = 0;
  std::unordered_set<std::string> purchases;
  if (read.ok()) {
    read = store_->ForEachLedgerEntry([&](const LedgerEntry& e) {
      if (e.at_ms < today_ms) return Status::Ok();
      switch (e.kind) {
        case LedgerKind::kEarn:
          issued += e.points;
          purchases.insert(e.transaction_id);
          break;
        case LedgerKind::kSpend: redeemed -= e.points; break;
        case LedgerKind::kRefund: redeemed -= e.points; break;
        case LedgerKind::kExpire: expired -= e.points; break;
        case LedgerKind::kReverse: reversed -= e.points; break;
        case LedgerKind::kAdjust: adjusted += e.points; break;
        case LedgerKind::kMerge: break;  // moved between customers: nets to zero
      }
      return Status::Ok();
    });
  }
  if (!read.ok()) return {{"code", "STORE_FAILED"}, {"message", read.message()}};
  const int32_t offset = rules->program.utc_offset_minutes;
  return {{"as_of_ms", now_ms},
          {"as_of_at", report::IsoDateTime(now_ms, offset)},
          {"today", report::IsoDate(now_ms, offset)},
          {"customers", customers},
          {"tiers", tiers},
          {"points_outstanding", outstanding},
          {"points_spendable", spendable},
          {"points_pending", pending},
          {"liability_minor", outstanding * rules->program.point_value_minor},
          {"currency", rules->program.currency},
          {"today_purchases_earning", purchases.size()},
          {"today_points_issued", issued},
          {"today_points_redeemed", redeemed},
          {"today_points_expired", expired},
          {"today_points_reversed", reversed},
          {"today_points_adjusted", adjusted}};
}

}  // namespace loyalty
