// FailoverClient: a register's connection to a replicated group (or to one
// server): a list of addresses, and one request at a time sent until it is
// answered. On NOT_PRIMARY it reconnects to the primary the answer names;
// on a dropped connection, a refused connect, UNAVAILABLE, OVERLOADED or
// NOT_PRIMARY without a name it tries the next address after a short pause;
// always with the same request, so a retried sale keeps its transaction id
// and is applied once (the server replays the stored answer).
//
// Not thread-safe: one thread per client.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "adapters/net/client.h"

namespace loyalty::net {

class FailoverClient {
 public:
  // `retry_busy`: UNAVAILABLE and OVERLOADED are tried again too (a till);
  // false: returned as they are (the CLI, which a person runs again).
  FailoverClient(std::vector<std::string> addresses, ClientOptions options, bool retry_busy = true);

  // The reply to `request` (request_id set when 0). A reply carrying another
  // error (INVALID_FIELD, UNKNOWN_CARD, ...) is returned as it is; when
  // `within` passes, the last error reply, else the last failure.
  Result<v1::Reply> Call(v1::Request request, std::chrono::milliseconds within);

  const std::string& current() const { return current_; }  // "" when not connected
  uint64_t reconnects() const { return reconnects_; }
  // The Welcome of the server that answered last (empty before any).
  const v1::Welcome& welcome() const { return welcome_; }

 private:
  Status ConnectTo(const std::string& address);

  std::vector<std::string> addresses_;
  ClientOptions options_;
  bool retry_busy_;
  std::unique_ptr<Client> client_;
  v1::Welcome welcome_;
  std::string current_;
  size_t next_ = 0;
  uint64_t next_request_id_ = 1;
  uint64_t reconnects_ = 0;
};

}  // namespace loyalty::net
