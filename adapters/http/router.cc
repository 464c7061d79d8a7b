#include "adapters/http/router.h"

#include <chrono>
#include <cstdio>

#include "engine/validate.h"

namespace loyalty::http {
namespace {

std::vector<std::string> Segments(const std::string& path) {
  std::vector<std::string> out;
  std::size_t start = 1;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

int64_t NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

bool SameText(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

bool Match(const std::string& pattern, const std::string& path,
           std::map<std::string, std::string>* params) {
  // Segments skips the leading '/': without one, "Xv1/audit" was /v1/audit.
  if (path.empty() || path.front() != '/') return false;
  const auto want = Segments(pattern);
  const auto have = Segments(path);
  if (want.size() != have.size()) return false;
  for (std::size_t i = 0; i < want.size(); ++i) {
    const std::string& w = want[i];
    if (w.size() > 2 && w.front() == '{' && w.back() == '}') {
      if (have[i].empty()) return false;
      if (params) (*params)[w.substr(1, w.size() - 2)] = have[i];
    } else if (w != have[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string JsonString(std::string_view text) {
  std::string out = "\"";
  while (!text.empty()) {
    // JSON is UTF-8: a byte that is no part of valid UTF-8 (a path with %FF)
    // is written as U+FFFD, as a browser would show it.
    const std::size_t valid = InvalidUtf8At(text).value_or(text.size());
    for (char c : text.substr(0, valid)) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
          } else {
            out += c;
          }
      }
    }
    if (valid == text.size()) break;
    out += "\\ufffd";
    text.remove_prefix(valid + 1);
  }
  return out + "\"";
}

Response JsonError(unsigned status, std::string_view code, std::string_view message) {
  return {status, "{\"code\":" + JsonString(code) + ",\"message\":" + JsonString(message) + "}\n"};
}

void Router::Refused(const Request& request, const Response& response) const {
  if (on_refusal_) on_refusal_(request, response);
}

std::string Router::PatternOf(const std::string& method, const std::string& path) const {
  for (const Route& r : routes_) {
    if (r.method == method && Match(r.pattern, path, nullptr)) return r.pattern;
  }
  return "unmatched";
}

std::variant<Principal, Response> Router::Authenticate(Request& request,
                                                       const Credentials& c) const {
  constexpr std::string_view kBearer = "Bearer ";
  if (!c.authorization.empty()) {
    if (c.authorization.rfind(kBearer, 0) != 0) {
      return JsonError(401, "UNAUTHENTICATED",
                       "send the header 'Authorization: Bearer TOKEN' (admin_tokens)");
    }
    auto found = tokens_.Find(std::string_view(c.authorization).substr(kBearer.size()));
    if (!found) return JsonError(401, "UNAUTHENTICATED", "unknown token");
    return *found;
  }
  const std::string id = CookieValue(c.cookie, kSessionCookie);
  if (id.empty()) {
    return JsonError(401, "UNAUTHENTICATED",
                     "send the header 'Authorization: Bearer TOKEN' (admin_tokens), or sign in");
  }
  auto session = sessions_.Find(id, NowMs());
  if (!session) return JsonError(401, "UNAUTHENTICATED", "the session ended: sign in again");
  // A change made with the cookie must show the session's CSRF token, which
  // only a page of this origin can have read.
  if (request.method != "GET" && request.method != "HEAD" && !SameText(c.csrf, session->csrf)) {
    return JsonError(403, "CSRF",
                     "a change with the session cookie needs the header X-CSRF-Token that "
                     "signing in gave");
  }
  request.session_id = session->id;
  return session->principal;
}

std::variant<const Route*, Response> Router::Admit(Request& request,
                                                   const Credentials& credentials) const {
  const Route* found = nullptr;
  bool path_known = false;
  for (const Route& r : routes_) {
    std::map<std::string, std::string> params;
    if (!Match(r.pattern, request.path, &params)) continue;
    path_known = true;
    if (r.method != request.method) continue;
    found = &r;
    request.params = std::move(params);
    break;
  }
  auto refuse = [&](Response response) {
    Refused(request, response);
    return response;
  };
  if (!found) {
    if (path_known) {
      return refuse(JsonError(405, "METHOD_NOT_ALLOWED",
                              request.method + " is not allowed on " + request.path));
    }
    return refuse(JsonError(404, "NOT_FOUND", "no such endpoint: " + request.path));
  }
  if (found->permission) {
    auto who = Authenticate(request, credentials);
    if (auto* refusal = std::get_if<Response>(&who)) return refuse(std::move(*refusal));
    request.principal = std::get<Principal>(who);
    if (!Allows(request.principal->role, *found->permission)) {
      return refuse(JsonError(403, "FORBIDDEN",
                              std::string("role ") + RoleName(request.principal->role) +
                                  " may not " + PermissionName(*found->permission)));
    }
  }
  return found;
}

void Router::Run(const Route& route, Request request, Respond respond) const {
  route.handler(request, [this, settles = route.settles, request, respond](Response response) {
    if (settle_ && settles && response.status < 300) {
      return settle_(std::move(response), [this, request, respond](Response settled) {
        if (settled.status >= 400) Refused(request, settled);
        respond(std::move(settled));
      });
    }
    if (response.status >= 400) Refused(request, response);
    respond(std::move(response));
  });
}

void Router::Dispatch(Request request, const Credentials& credentials, Respond respond) const {
  auto admitted = Admit(request, credentials);
  if (auto* refusal = std::get_if<Response>(&admitted)) return respond(std::move(*refusal));
  Run(*std::get<const Route*>(admitted), std::move(request), std::move(respond));
}

}  // namespace loyalty::http
