#include "adapters/http/router.h"

#include <cstdio>

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

bool Match(const std::string& pattern, const std::string& path,
           std::map<std::string, std::string>* params) {
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
  for (char c : text) {
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

void Router::Dispatch(Request request, const std::string& authorization, Respond respond) const {
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
    respond(std::move(response));
  };
  if (!found) {
    if (path_known) {
      return refuse(JsonError(405, "METHOD_NOT_ALLOWED",
                              request.method + " is not allowed on " + request.path));
    }
    return refuse(JsonError(404, "NOT_FOUND", "no such endpoint: " + request.path));
  }
  if (found->permission) {
    constexpr std::string_view kBearer = "Bearer ";
    if (authorization.rfind(kBearer, 0) != 0) {
      return refuse(JsonError(401, "UNAUTHENTICATED",
                              "send the header 'Authorization: Bearer TOKEN' (admin_tokens)"));
    }
    request.principal = tokens_.Find(std::string_view(authorization).substr(kBearer.size()));
    if (!request.principal) return refuse(JsonError(401, "UNAUTHENTICATED", "unknown token"));
    if (!Allows(request.principal->role, *found->permission)) {
      return refuse(JsonError(403, "FORBIDDEN",
                              std::string("role ") + RoleName(request.principal->role) +
                                  " may not " + PermissionName(*found->permission)));
    }
  }
  found->handler(request, [this, request, respond](Response response) {
    if (response.status >= 400) Refused(request, response);
    respond(std::move(response));
  });
}

}  // namespace loyalty::http
