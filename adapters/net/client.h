// Client: a blocking TCP client of the loyalty.v1 protocol, for the CLI, the
// benchmark and the tests. One socket; Call() keeps one request in flight,
// Send()/Receive() let a caller pipeline several.
//
// Every call fails with a Status (never throws) naming what went wrong; after
// an IO failure the client is closed. Not thread-safe: one thread per client.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "engine/status.h"
#include "loyalty/v1/wire.pb.h"

namespace loyalty::net {

class Client {
 public:
  // "HOST:PORT" with a numeric IPv4 host or "localhost".
  static Result<std::unique_ptr<Client>> Connect(const std::string& host_port,
                                                 int64_t timeout_ms = 5000);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Sets request_id when 0, sends, waits for the reply to that id.
  Result<v1::Reply> Call(v1::Request request);

  Status Send(const v1::Request& request);
  Result<v1::Reply> Receive();  // the next reply, whichever request it answers

  // Raw bytes, for tests of bad input.
  Status SendBytes(std::string_view bytes);
  // Tells the server nothing more will be sent (shutdown SHUT_WR); replies
  // can still be received.
  void HalfClose();
  // True when the server has closed the connection (reads EOF within timeout).
  bool ServerClosed();
  void Close();

 private:
  explicit Client(int fd, int64_t timeout_ms) : fd_(fd), timeout_ms_(timeout_ms) {}
  Status ReadSome();

  int fd_;
  int64_t timeout_ms_;
  uint64_t next_request_id_ = 1;
  std::string in_;
};

}  // namespace loyalty::net
