// Server: the admin HTTP listener (Boost.Beast, C++20 coroutines on the
// caller's io_context). HTTP/1.1 with keep-alive; every request goes to the
// Router. Bounded:
//   - headers over header_bytes_max: 431; a body over body_bytes_max: 413;
//     the connection then closes (the rest of the stream cannot be trusted);
//   - a request not read within timeout_ms closes the connection; a handler
//     that has not answered within timeout_ms gets 503 TIMEOUT for it;
//   - beyond connections_max, a new connection gets 503 OVERLOADED, closed.
// Every error is JSON {"code", "message"}.
//
// Thread safety: Listen/Start/Stop on the io thread or before it runs.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <utility>  // before Asio: Boost 1.74 awaitable.hpp needs std::exchange

#include "adapters/http/router.h"
#include "engine/status.h"

namespace loyalty::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 7071;  // 0: any free port
  std::size_t connections_max = 64;
  std::size_t header_bytes_max = 8192;
  std::size_t body_bytes_max = 1 << 20;
  int64_t timeout_ms = 10'000;
};

struct ServerCounters {
  uint64_t connections_accepted = 0;
  uint64_t connections_refused = 0;  // over connections_max
  uint64_t requests = 0;
};

class Session;

class Server {
 public:
  Server(boost::asio::io_context& io, ServerOptions options, const Router& router);
  ~Server();

  Status Listen();  // binds; fails with a message naming the address
  uint16_t port() const { return port_; }
  void Start();  // spawns the accept loop
  void Stop();   // closes the listener and every connection

  std::size_t connections() const { return sessions_.size(); }
  const ServerCounters& counters() const { return counters_; }

 private:
  friend class Session;
  void Forget(Session* session);

  boost::asio::io_context& io_;
  ServerOptions options_;
  const Router& router_;
  boost::asio::ip::tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::list<std::shared_ptr<Session>> sessions_;
  ServerCounters counters_;
};

}  // namespace loyalty::http
