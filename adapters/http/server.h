// Server: the admin HTTP listener (Boost.Beast, C++20 coroutines on the
// caller's io_context). HTTP/1.1 with keep-alive; every request goes to the
// Router. Bounded:
//   - headers over header_bytes_max: 431; a body over body_bytes_max: 413;
//     the connection then closes (the rest of the stream cannot be trusted);
//   - a request not read within timeout_ms closes the connection; a handler
//     that has not answered within timeout_ms gets 503 TIMEOUT for it;
//   - beyond connections_max, up to probe_connections_max more connections
//     are kept for the probes: each may send one GET /healthz or /readyz
//     within probe_timeout_ms and gets its answer; anything else gets 503
//     OVERLOADED. So busy or stuck admin clients never make Kubernetes
//     restart a healthy pod. Beyond both, 503 OVERLOADED at once, closed;
//   - a request's body is read only once its line and headers are admitted
//     (Router::Admit: the route exists, the caller is authenticated and may
//     use it): a refusal is answered at once and the connection closed
//     without reading the body.
// With tls_cert_path and tls_key_path, the listener speaks HTTPS (the
// register channel's setup: adapters/net/tls_context.h).
// Every error is JSON {"code", "message"}.
//
// Thread safety: Listen/Start/Stop on the io thread or before it runs.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
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
  std::size_t probe_connections_max = 16;  // beyond connections_max, for the probes only
  int64_t probe_timeout_ms = 2'000;        // for such a connection to send its probe
  // PEM certificate chain and private key; both empty: plain HTTP.
  std::string tls_cert_path;
  std::string tls_key_path;
};

struct ServerCounters {
  uint64_t connections_accepted = 0;
  uint64_t connections_refused = 0;  // over connections_max and the probes' reserve
  uint64_t probe_connections = 0;    // accepted beyond connections_max, for a probe
  uint64_t requests = 0;
};

class Session;
template <class Stream>
class StreamSession;

class Server {
 public:
  Server(boost::asio::io_context& io, ServerOptions options, const Router& router);
  ~Server();

  Status Listen();  // binds (and reads the certificate); the message names what failed
  uint16_t port() const { return port_; }
  void Start();  // spawns the accept loop
  void Stop();   // closes the listener and every connection

  std::size_t connections() const { return sessions_.size(); }
  const ServerCounters& counters() const { return counters_; }

 private:
  friend class Session;
  template <class Stream>
  friend class StreamSession;
  void Forget(Session* session);
  // A new connection's session; a probe-only one beyond connections_max.
  void Admit(boost::asio::ip::tcp::socket socket, bool probe_only);

  boost::asio::io_context& io_;
  ServerOptions options_;
  const Router& router_;
  boost::asio::ip::tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::shared_ptr<boost::asio::ssl::context> tls_;  // null: plain HTTP
  std::list<std::shared_ptr<Session>> sessions_;
  std::size_t probe_sessions_ = 0;  // of sessions_, beyond connections_max
  ServerCounters counters_;
};

}  // namespace loyalty::http
