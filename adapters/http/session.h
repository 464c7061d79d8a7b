// Sessions: how a person signs in to the console. They paste their admin
// token once (POST /v1/session); the server answers with a random session id
// in a cookie (HttpOnly, so no script can read it; SameSite=Strict, so no
// other site's page can send it; Secure) and a CSRF token. Every request
// that changes something with that cookie must echo the CSRF token in
// X-CSRF-Token; a page of another origin cannot read it (no CORS), so it
// cannot forge the header. A session ends when signed out, idle for
// idle_ms, older than lifetime_ms, or when sessions_max newer ones push it
// out. Sessions live in memory: a restart signs everyone out.
//
// Thread safety: every method from any thread (one mutex).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/http/auth.h"

namespace loyalty::http {

struct SessionOptions {
  std::size_t sessions_max = 256;
  int64_t idle_ms = 30 * 60 * 1000;           // 30 minutes without a request
  int64_t lifetime_ms = 12 * 60 * 60 * 1000;  // 12 hours after sign-in
};

struct ConsoleSession {
  std::string id;    // 64 hex digits from the system's random source
  std::string csrf;  // 64 hex digits, echoed in X-CSRF-Token on mutations
  Principal principal;
  int64_t created_ms = 0;
  int64_t last_ms = 0;
};

class SessionTable {
 public:
  explicit SessionTable(SessionOptions options = {}) : options_(options) {}

  ConsoleSession Create(const Principal& principal, int64_t now_ms);
  // The live session `id` names (touched: its idle time starts again).
  std::optional<ConsoleSession> Find(std::string_view id, int64_t now_ms);
  void Remove(std::string_view id);
  std::size_t size() const;

 private:
  void ForgetExpired(int64_t now_ms);  // under mu_
  SessionOptions options_;
  mutable std::mutex mu_;
  std::map<std::string, ConsoleSession, std::less<>> sessions_;
};

// The value of cookie `name` in a Cookie header ("" when absent).
std::string CookieValue(std::string_view header, std::string_view name);
// 2 * bytes hex digits from the system's random source.
std::string RandomHex(std::size_t bytes);

}  // namespace loyalty::http
