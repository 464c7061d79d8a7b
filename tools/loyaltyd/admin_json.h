// What the admin endpoints share: JSON answers, errors from a Status or an
// engine error, numbers from paths and queries, who is acting, and how
// people read money and times (the program's currency and clock).
#pragma once

#include <charconv>
#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "adapters/http/router.h"
#include "engine/rules.h"
#include "engine/status.h"
#include "loyalty/v1/admin_store.pb.h"
#include "loyalty/v1/wire.pb.h"
#include "tools/loyalty/render.h"
#include "tools/loyaltyd/rules_publisher.h"

namespace loyalty::admin {

using Json = nlohmann::json;

// The route handler that calls `method` of `self` once `ready()`; before
// that, 503 NOT_READY saying why_not_ready(). Each admin part binds its
// routes with it.
template <typename T>
http::Handler Bind(T* self, void (T::*method)(const http::Request&, http::Respond),
                   std::function<bool()> ready, std::function<std::string()> why_not_ready) {
  return [self, method, ready = std::move(ready), why = std::move(why_not_ready)](
             const http::Request& r, http::Respond respond) {
    if (!ready()) return respond(http::JsonError(503, "NOT_READY", why()));
    (self->*method)(r, std::move(respond));
  };
}

// An audit line for what `who` did at `at_ms` to `target`; the caller adds
// what else it knows (versions, detail).
inline store::v1::AuditEntry AuditEntryOf(const http::Principal& who, const std::string& action,
                                          const std::string& target, int64_t at_ms) {
  store::v1::AuditEntry e;
  e.set_who(who.name);
  e.set_role(http::RoleName(who.role));
  e.set_action(action);
  e.set_target(target);
  e.set_at_ms(at_ms);
  return e;
}

// Now on the wall clock, in ms since the epoch.
inline int64_t WallNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline http::Response Ok(const Json& j, unsigned status = 200) {
  return {status, j.dump(2) + "\n"};
}

// A Status from the store or the publisher as an HTTP error.
inline http::Response FromStatus(const Status& s) {
  switch (s.code()) {
    case StatusCode::kNotFound: return http::JsonError(404, "NOT_FOUND", s.message());
    case StatusCode::kInvalidArgument: return http::JsonError(422, "INVALID", s.message());
    case StatusCode::kResourceExhausted: return http::JsonError(429, "TOO_MANY", s.message());
    default: return http::JsonError(500, "STORE_FAILED", s.message());
  }
}

// A request body as JSON, strictly: a key given twice in one object, or a
// number that is not a whole number from -2^63 to 2^63-1 (a fraction, an
// exponent, or beyond), is refused, since two readers of such a body (a proxy
// and this server, say) may disagree on what it says. Every admin body goes
// through here. nullopt with `*out` set, else the 400 BAD_JSON to answer.
std::optional<http::Response> ParseBody(const std::string& body, Json* out);

inline std::optional<uint64_t> Number(const std::string& text) {
  uint64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

// The query's `name` as a whole number from `min` to `max` (`fallback` when
// absent); else the 400 to answer.
inline std::optional<http::Response> QueryNumber(const http::Request& r, const std::string& name,
                                                 uint64_t min, uint64_t max, uint64_t* out) {
  const auto it = r.query.find(name);
  if (it == r.query.end()) return std::nullopt;
  const auto n = Number(it->second);
  if (!n || *n < min || *n > max) {
    return http::JsonError(400, "BAD_QUERY",
                           name + " must be a whole number from " + std::to_string(min) + " to " +
                               std::to_string(max));
  }
  *out = *n;
  return std::nullopt;
}

// The engine's error reply as HTTP: the wire code, with a status that says
// whose fault it is.
inline http::Response EngineError(const v1::Error& e, const std::string& message) {
  switch (e.code()) {
    case v1::UNKNOWN_CARD: return http::JsonError(404, "UNKNOWN_CARD", message);
    case v1::INVALID_FIELD: return http::JsonError(422, "INVALID_FIELD", message);
    case v1::DUPLICATE_DIFFERENT_PAYLOAD:
      return http::JsonError(409, "DUPLICATE_DIFFERENT_PAYLOAD", message);
    default: return http::JsonError(503, v1::ErrorCode_Name(e.code()), message);
  }
}

inline Actor ActorOf(const http::Request& r) {
  return {r.principal->name, http::RoleName(r.principal->role)};
}

// Money in the program's currency, times in its time zone.
inline cli::Display DisplayOf(const RuleSet& rules) {
  return {rules.program.currency, rules.program.utc_offset_minutes};
}

}  // namespace loyalty::admin
