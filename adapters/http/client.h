// A blocking HTTP/1.1 client for the admin API: the `loyalty rules` commands
// and tests. One request per connection; the whole exchange is bounded by
// timeout_ms. A Status only when no answer came (cannot connect, timed out,
// closed); any HTTP status, 4xx and 5xx included, is a reply.
// Thread safety: a function; no shared state.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "engine/status.h"

namespace loyalty::http {

struct ClientRequest {
  std::string method = "GET";
  std::string target = "/";  // path and query
  std::string token;         // sent as "Authorization: Bearer TOKEN" when set
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  int64_t timeout_ms = 10'000;
  // For https://: the CA certificates (PEM) to trust; empty: the system's.
  std::string ca_path;
};

struct ClientReply {
  int status = 0;
  std::string body;
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;  // all of them, in order
};

// `address` is HOST:PORT (plain HTTP) or https://HOST:PORT (TLS 1.2+, the
// server's name or address checked against its certificate).
Result<ClientReply> Call(const std::string& address, const ClientRequest& request);

}  // namespace loyalty::http
