// Connection: one blocking hiredis context with a connect timeout and a
// command timeout, and the replies as plain values (no hiredis type leaks
// out of this adapter).
//
// Failure: any I/O error or timeout breaks the connection for good (hiredis
// cannot resynchronise a half-read stream); the owner drops it and opens a
// new one. An error *reply* (e.g. NOSCRIPT) is a Reply, not a failure.
//
// SIGPIPE: hiredis writes with write(2). Open blocks SIGPIPE on the calling
// thread, so a server that died gives EPIPE instead of killing the process.
//
// Thread safety: thread-compatible; use a connection on the thread that
// opened it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/status.h"

struct redisContext;

namespace loyalty::redis {

struct Endpoint {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string ToString() const { return host + ":" + std::to_string(port); }
};

// "HOST:PORT" with a port 1..65535.
Result<Endpoint> ParseEndpoint(const std::string& text);

struct Reply {
  enum class Type { kNil, kString, kStatus, kError, kInteger, kArray };
  Type type = Type::kNil;
  std::string str;  // kString, kStatus, kError
  int64_t integer = 0;
  std::vector<Reply> elements;  // kArray

  bool IsError() const { return type == Type::kError; }
  bool IsNoScript() const { return IsError() && str.rfind("NOSCRIPT", 0) == 0; }
};

class Connection {
 public:
  static Result<std::unique_ptr<Connection>> Open(const Endpoint& endpoint,
                                                  int64_t connect_timeout_ms,
                                                  int64_t command_timeout_ms);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Pipelining: Append buffers a command; Read sends what is buffered and
  // reads the next reply, in order. Every Append is owed one Read.
  void Append(const std::vector<std::string>& argv);
  Result<Reply> Read();

  // Append + Read.
  Result<Reply> Command(const std::vector<std::string>& argv);

  const Endpoint& endpoint() const { return endpoint_; }

 private:
  Connection(redisContext* context, Endpoint endpoint);
  Status Broken(const std::string& doing) const;

  redisContext* context_;
  Endpoint endpoint_;
};

}  // namespace loyalty::redis
