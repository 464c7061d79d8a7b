// Router: the admin API as a table of routes. A route is a method, a path
// pattern with {named} segments ("/v1/rulesets/{version}/activate"), the
// permission it needs (none: open, like /healthz) and a handler. Adding an
// endpoint (reports, simulate) is adding one row.
//
// Dispatch authenticates (a Bearer token, or the console's session cookie,
// session.h), authorizes, fills the path parameters and calls the handler.
// Refusals never reach a handler; they are JSON errors {"code": ..., "message": ...}:
//   401 UNAUTHENTICATED  no token, or an unknown one, or a session that ended
//   403 FORBIDDEN        the role may not do this
//   403 CSRF             a change with the session cookie, without its
//                        X-CSRF-Token
//   404 NOT_FOUND        no route has this path
//   405 METHOD_NOT_ALLOWED  a route has the path, not the method
//
// A change's answer may have to wait (a replicated group's primary answers
// once a standby has the change too): SetSettle gives the step the
// successful answers of routes that say `settles` go through.
//
// Thread safety: Add and SetSettle before serving; Dispatch from the io
// thread. A handler calls its Respond exactly once, from any thread.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "adapters/http/auth.h"
#include "adapters/http/session.h"

namespace loyalty::http {

struct Request {
  std::string method;  // "GET"
  std::string path;    // without the query
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> params;  // from {named} segments
  std::string body;
  std::string content_type;            // the Content-Type header
  std::optional<Principal> principal;  // set when the route needs one
  std::string session_id;              // when signed in by the session cookie
};

struct Response {
  unsigned status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;  // more (Set-Cookie...)
};

// What a request carries to say who sends it.
struct Credentials {
  std::string authorization;  // the Authorization header ("Bearer TOKEN")
  std::string cookie;         // the Cookie header
  std::string csrf;           // the X-CSRF-Token header
};

inline constexpr const char* kSessionCookie = "loyalty_session";

using Respond = std::function<void(Response)>;
using Handler = std::function<void(const Request&, Respond)>;

struct Route {
  std::string method;
  std::string pattern;
  std::optional<Permission> permission;  // nullopt: open to anyone
  Handler handler;
  // The handler changes the store outside the runtime (rule sets, the
  // outbox): its 2xx answer goes through SetSettle's step.
  bool settles = false;
};

// "He said \"hi\"" as a JSON string literal, quotes included.
std::string JsonString(std::string_view text);
// {"code": CODE, "message": MESSAGE}
Response JsonError(unsigned status, std::string_view code, std::string_view message);

class Router {
 public:
  // Told of every refusal (status >= 400), for logs and metrics.
  using RefusalFn = std::function<void(const Request&, const Response&)>;
  Router(TokenTable tokens, RefusalFn on_refusal, SessionOptions sessions = {})
      : tokens_(std::move(tokens)), on_refusal_(std::move(on_refusal)), sessions_(sessions) {}

  void Add(Route route) { routes_.push_back(std::move(route)); }
  // Called with every 2xx answer of a route that `settles`, instead of
  // sending it: it calls `send` once, with that answer or another.
  using SettleFn = std::function<void(Response response, Respond send)>;
  void SetSettle(SettleFn settle) { settle_ = std::move(settle); }
  // Admit, then Run (or answer the refusal).
  void Dispatch(Request request, const Credentials& credentials, Respond respond) const;
  // What the request line and headers alone decide, before any body is read:
  // the route (with `request`'s params, principal and session filled in), or
  // the refusal (404, 405, 401, 403), already reported. The server reads the
  // body of an admitted request only: a stranger's body is never read.
  std::variant<const Route*, Response> Admit(Request& request, const Credentials& c) const;
  // Calls the admitted `route`'s handler (refusals it answers are reported).
  void Run(const Route& route, Request request, Respond respond) const;
  // Signing in and out (the session routes are the API's: admin_api.cc).
  std::optional<Principal> FindToken(std::string_view secret) const { return tokens_.Find(secret); }
  SessionTable& sessions() const { return sessions_; }
  // Reports a refusal made outside Dispatch (bad request, over a limit).
  void Refused(const Request& request, const Response& response) const;
  // The route pattern a request matched, or "unmatched": a metric label
  // without customer ids.
  std::string PatternOf(const std::string& method, const std::string& path) const;

 private:
  // The principal the credentials name, or the refusal.
  std::variant<Principal, Response> Authenticate(Request& request, const Credentials& c) const;

  TokenTable tokens_;
  RefusalFn on_refusal_;
  SettleFn settle_;
  mutable SessionTable sessions_;  // thread-safe itself
  std::vector<Route> routes_;
};

}  // namespace loyalty::http
