// Fuzz target: the admin HTTP listener's reading of a request, up to the
// handler (adapters/http). The input is what a connection sends, any bytes,
// possibly several requests in a row (keep-alive). Each is read as
// server.cc reads it: Boost.Beast's parser with the server's default header
// and body limits, then ReadTarget (path and query, percent-decoded; an
// encoded slash refused), then Router::Dispatch over loyaltyd's route table
// (the patterns and permissions of tools/loyaltyd/admin_*.cc) with one
// token per role.
//
// Every request gets exactly one answer. A refusal is valid JSON (UTF-8)
// {"code", "message"} with the status its code says: 404 when no route has
// the path, 405 when one has it with another method, 401 without a known
// token, 403 when the role may not. A handler is reached only by a request
// whose route matches (PatternOf agrees), with every {named} parameter
// filled, non-empty and without a '/', and, on a route that needs a
// permission, by a principal whose role has it.
//
// The admin JSON bodies (admin::ParseBody and the handlers' readers) are
// not here: they sit in tools/loyaltyd/admin_*.cc, which need the daemon.
#include <algorithm>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>  // before Asio: Boost 1.74 needs std::exchange

#include "adapters/http/router.h"
#include "adapters/http/target.h"
#include "adapters/net/verifier.h"
#include "engine/check.h"

namespace loyalty::http {
namespace {

namespace bhttp = boost::beast::http;
using P = Permission;

struct RouteRow {
  const char* method;
  const char* pattern;
  std::optional<Permission> permission;
};

// loyaltyd's routes (tools/loyaltyd/admin_api.cc, admin_console.cc,
// admin_customers.cc, admin_publish.cc, admin_reports.cc).
const RouteRow kRoutes[] = {
    {"GET", "/healthz", std::nullopt},
    {"GET", "/readyz", std::nullopt},
    {"GET", "/metrics", std::nullopt},
    {"GET", "/v1/audit", P::kAuditRead},
    {"GET", "/", std::nullopt},
    {"GET", "/console/{file}", std::nullopt},
    {"POST", "/v1/session", std::nullopt},
    {"GET", "/v1/session", P::kSignedIn},
    {"DELETE", "/v1/session", P::kSignedIn},
    {"GET", "/v1/overview", P::kReportsRead},
    {"GET", "/v1/customers", P::kCustomersStory},
    {"GET", "/v1/customers/{card}", P::kCustomersRead},
    {"GET", "/v1/customers/{card}/ledger", P::kCustomersStory},
    {"POST", "/v1/customers/{card}/adjust", P::kCustomersAdjust},
    {"GET", "/v1/reports", P::kReportsRead},
    {"GET", "/v1/reports/{name}", P::kReportsRead},
    {"GET", "/v1/rfm", P::kReportsRead},
    {"POST", "/v1/rfm/recompute", P::kRfmRecompute},
    {"GET", "/v1/rulesets", P::kRulesRead},
    {"POST", "/v1/rulesets", P::kRulesDraft},
    {"POST", "/v1/rulesets/validate", P::kRulesDraft},
    {"POST", "/v1/rulesets/rollback", P::kRulesPublish},
    {"GET", "/v1/rulesets/{version}", P::kRulesRead},
    {"POST", "/v1/rulesets/{version}/submit", P::kRulesDraft},
    {"POST", "/v1/rulesets/{version}/simulate", P::kRulesDraft},
    {"POST", "/v1/rulesets/{version}/activate", P::kRulesPublish},
    {"GET", "/v1/events/out", P::kEventsRead},
    {"POST", "/v1/events/out/redeliver", P::kEventsRedeliver},
};

// What the last handler saw.
struct Reached {
  const RouteRow* row = nullptr;
  Request request;
};
Reached reached;

TokenTable Tokens() {
  std::vector<TokenEntry> entries;
  for (const Role role :
       {Role::kViewer, Role::kCashier, Role::kEditor, Role::kPublisher, Role::kAdmin}) {
    const std::string name = RoleName(role);
    // "viewer-token-0123456789", kept as its verifier as loyaltyd keeps it
    entries.push_back({name, role, net::Sha256(name + "-token-0123456789")});
  }
  return TokenTable(std::move(entries));
}

const Router& TheRouter() {
  static const Router* router = [] {
    auto* r = new Router(Tokens(), nullptr);
    for (const RouteRow& row : kRoutes) {
      r->Add({row.method, row.pattern, row.permission, [&row](const Request& req, Respond respond) {
                reached = {&row, req};
                respond(Response{200, "{}\n"});
              }});
    }
    return r;
  }();
  return *router;
}

std::size_t Segments(std::string_view path) {
  return static_cast<std::size_t>(std::count(path.begin(), path.end(), '/'));
}

void CheckRefusal(const Response& response) {
  const nlohmann::json j = nlohmann::json::parse(response.body, nullptr, false);
  LOYALTY_CHECK(!j.is_discarded() && j.is_object() && j.size() == 2);
  LOYALTY_CHECK(j.contains("code") && j["code"].is_string());
  LOYALTY_CHECK(j.contains("message") && j["message"].is_string());
  const std::string code = j["code"];
  const unsigned status = response.status;
  LOYALTY_CHECK((code == "NOT_FOUND" && status == 404) ||
                (code == "METHOD_NOT_ALLOWED" && status == 405) ||
                (code == "UNAUTHENTICATED" && status == 401) ||
                ((code == "FORBIDDEN" || code == "CSRF") && status == 403) ||
                (code == "ENCODED_SLASH" && status == 400));
}

void CheckReached(const Request& sent) {
  const RouteRow& row = *reached.row;
  const Request& r = reached.request;
  LOYALTY_CHECK(r.method == row.method && r.path == sent.path);
  LOYALTY_CHECK(TheRouter().PatternOf(r.method, r.path) == row.pattern);
  LOYALTY_CHECK(Segments(r.path) == Segments(row.pattern));
  LOYALTY_CHECK(r.params.size() == static_cast<std::size_t>(std::count(
                                       row.pattern, row.pattern + std::strlen(row.pattern), '{')));
  for (const auto& [name, value] : r.params) {
    LOYALTY_CHECK(!value.empty() && value.find('/') == std::string::npos);
  }
  LOYALTY_CHECK(r.principal.has_value() == row.permission.has_value());
  if (row.permission) LOYALTY_CHECK(Allows(r.principal->role, *row.permission));
}

// Answers one parsed request as server.cc does.
void Answer(const bhttp::request<bhttp::string_body>& req) {
  Request r;
  r.method = std::string(req.method_string());
  const std::string_view target(req.target().data(), req.target().size());
  std::optional<Response> answer = ReadTarget(target, r);
  if (answer) {
    LOYALTY_CHECK(answer->status == 400);
    return CheckRefusal(*answer);
  }
  r.body = req.body();
  r.content_type = std::string(req[bhttp::field::content_type]);
  const Credentials credentials{std::string(req[bhttp::field::authorization]),
                                std::string(req[bhttp::field::cookie]),
                                std::string(req["X-CSRF-Token"])};
  reached = {};
  int answers = 0;
  TheRouter().Dispatch(r, credentials, [&](Response response) {
    answers += 1;
    answer = std::move(response);
  });
  LOYALTY_CHECK(answers == 1);
  if (answer->status >= 400) {
    LOYALTY_CHECK(reached.row == nullptr);
    return CheckRefusal(*answer);
  }
  LOYALTY_CHECK(reached.row != nullptr);
  CheckReached(r);
}

}  // namespace
}  // namespace loyalty::http

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace loyalty::http;
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  for (int requests = 0; requests < 8 && !rest.empty(); ++requests) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(8192);    // ServerOptions::header_bytes_max
    parser.body_limit(1u << 20);  // ServerOptions::body_bytes_max
    parser.eager(true);
    boost::beast::error_code ec;
    const std::size_t used = parser.put(boost::asio::const_buffer(rest.data(), rest.size()), ec);
    if (ec || !parser.is_done()) return 0;  // the server answers 400 or waits for more
    LOYALTY_CHECK(used <= rest.size());
    Answer(parser.get());
    rest.remove_prefix(used);
  }
  return 0;
}
