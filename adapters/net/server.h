// Server: the TCP front door for registers. Boost.Asio with C++20 coroutines
// on one io_context thread (the caller runs it).
//
// Per connection: frames are read and parsed (framing.h); each Request goes
// to the RequestHandler; replies are written back as they come, in any order.
//   - A frame whose length is beyond limits::kFrameBytesMax, or whose bytes
//     are not a Request, gets an error reply (request_id 0) and the
//     connection closes once it is written: the stream cannot be trusted.
//   - A request the handler refuses still gets a reply; the connection lives.
//   - At inflight_max unanswered requests, or reply_bytes_queued_max bytes of
//     replies not yet taken by the client, the connection stops reading
//     (backpressure) until replies drain.
//   - A frame begun but not finished within read_timeout_ms (counted from its
//     first byte, however slowly the rest trickles in) closes the
//     connection; so does idle_timeout_ms with nothing received or pending.
//   - Beyond connections_max, a new connection gets OVERLOADED and is closed.
// Drain stops accepting and reading, waits for every accepted request to be
// answered and written (at most drain_timeout_ms), then closes everything.
//
// Thread safety: Listen/Start/Drain on the io_context thread or before it
// runs. The reply function handed to the handler may be called from any
// thread, exactly once.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <utility>  // before Asio: Boost 1.74 awaitable.hpp needs std::exchange

#include "engine/limits.h"
#include "engine/status.h"
#include "loyalty/v1/wire.pb.h"

namespace loyalty::net {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 7070;  // 0: any free port (see Server::port)
  std::size_t connections_max = limits::kConnectionsDefaultMax;
  std::size_t inflight_max = limits::kInflightPerConnectionDefaultMax;       // per connection
  std::size_t reply_bytes_queued_max = limits::kReplyBytesQueuedDefaultMax;  // per connection
  int64_t read_timeout_ms = 10'000;   // to finish a frame once begun
  int64_t idle_timeout_ms = 300'000;  // with nothing received and nothing pending
  int64_t drain_timeout_ms = 10'000;
};

// Takes one decoded request and, later, its serialized Reply (without the
// length prefix).
class RequestHandler {
 public:
  using ReplyFn = std::function<void(std::string reply_bytes)>;
  virtual ~RequestHandler() = default;
  virtual void Handle(v1::Request request, ReplyFn reply) = 0;
};

struct ServerCounters {
  uint64_t connections_accepted = 0;
  uint64_t connections_refused = 0;  // over connections_max
  uint64_t frames_malformed = 0;
  uint64_t frames_oversized = 0;
  uint64_t timeouts = 0;
  uint64_t requests = 0;
};

class Session;

class Server {
 public:
  Server(boost::asio::io_context& io, ServerOptions options, RequestHandler& handler);
  ~Server();

  // Binds and listens. Fails with a message naming the address.
  Status Listen();
  uint16_t port() const { return port_; }  // the bound port, after Listen
  void Start();                            // starts accepting (spawns the accept loop)
  void Drain(std::function<void()> done);

  std::size_t connections() const { return sessions_.size(); }
  const ServerCounters& counters() const { return counters_; }

 private:
  friend class Session;
  void Forget(Session* session);

  boost::asio::io_context& io_;
  ServerOptions options_;
  RequestHandler& handler_;
  boost::asio::ip::tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  bool draining_ = false;
  std::list<std::shared_ptr<Session>> sessions_;
  ServerCounters counters_;
};

}  // namespace loyalty::net
