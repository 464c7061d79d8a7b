// A blocking HTTP/1.1 client: the `loyalty` admin commands, the webhook's
// dispatcher and tests. The whole exchange (connect, TLS, request, answer) is
// bounded by timeout_ms. A Status only when no answer came (cannot connect,
// timed out, closed); any HTTP status, 4xx and 5xx included, is a reply.
// Call: one request on a connection of its own. Client: one connection kept
// open across requests to one address, for a caller that sends many (one
// TLS handshake, not one per request).
// Thread safety: Call is a function; a Client is used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
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

// Requests to one `address` (as for Call) over one kept-alive connection,
// opened at the first call and again after the server closed it or a call
// failed. A kept connection found closed before any answer came is opened
// anew and the request sent once more. `ca_path` as ClientRequest's (the
// request's own is not read).
class Client {
 public:
  explicit Client(std::string address, std::string ca_path = "", bool keep_alive = true);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;
  Result<ClientReply> Call(const ClientRequest& request);

  struct Conn;  // the connection and its io_context (client.cc)

 private:
  std::unique_ptr<Conn> conn_;
  const bool keep_alive_;
};

}  // namespace loyalty::http
