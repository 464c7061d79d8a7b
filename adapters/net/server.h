// Server: the front door for registers. Boost.Asio with C++20 coroutines on
// one io_context thread (the caller runs it); TLS 1.2+ (OpenSSL) unless
// plaintext is configured, which Listen allows on a loopback address only.
//
// Per connection, in phases: the TLS handshake, then the Hello that proves a
// register credential (credentials.h), then requests. Both must be done
// within auth_timeout_ms of the accept. Any request before the Hello, or a
// Hello that does not prove its credential, is answered UNAUTHENTICATED and
// the connection closes. Then every request is checked against what its
// credential may do (authorize.h: store and register come from the
// credential; Adjust is an operator's) and lookups against the credential's
// rate (RATE_LIMITED); the rest goes to the RequestHandler, and replies are
// written back as they come, in any order.
//   - Connections not yet authenticated are bounded in all
//     (unauthenticated_max) and per source address; a new one beyond either
//     bound evicts the oldest such connection (of that address first), so a
//     flood of idle sockets cannot shut out a till that authenticates.
//   - An authenticated connection beyond connections_max, or beyond
//     connections_per_credential_max for its credential, gets OVERLOADED
//     and is closed once the reply is written.
//   - A frame whose length is beyond limits::kFrameBytesMax, or whose bytes
//     are not a Request, gets an error reply (request_id 0) and the
//     connection closes once it is written: the stream cannot be trusted.
//   - A request the handler refuses still gets a reply; the connection lives.
//   - At inflight_max unanswered requests, or reply_bytes_queued_max bytes of
//     replies not yet taken by the client, the connection stops reading
//     (backpressure) until replies drain.
//   - A frame begun but not finished within read_timeout_ms (counted from its
//     first byte, however slowly the rest trickles in) closes the
//     connection; so does idle_timeout_ms without a request that has a body
//     (empty frames are not activity) and with nothing pending.
//   - Unread replies of all connections together are bounded by
//     reply_bytes_total_max: when over, a connection holding more than its
//     share (the total over the number of connections, at least
//     kReplyBytesFloorPerConnection) is disconnected, and freed memory is
//     handed back to the system once connections go.
//   - Reload re-reads the certificate, key and registers file; connections
//     of a credential now revoked, removed or changed are closed at once.
// Refusals are counted by reason (ServerCounters) for /metrics; no secret or
// card number is ever logged.
// Drain stops accepting and reading, waits for every accepted request to be
// answered and written (at most drain_timeout_ms), then closes everything.
//
// Thread safety: Listen/Start/Drain on the io_context thread or before it
// runs. The reply function handed to the handler may be called from any
// thread, exactly once.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <string>
#include <utility>  // before Asio: Boost 1.74 awaitable.hpp needs std::exchange

#include "adapters/net/credentials.h"
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
  int64_t idle_timeout_ms = 300'000;  // with no request received and nothing pending
  int64_t drain_timeout_ms = 10'000;
  // TLS certificate chain and private key (PEM). Both empty: plaintext.
  std::string tls_cert_path;
  std::string tls_key_path;
  std::string registers_path;  // the credentials' verifiers (credentials.h); required
  std::size_t connections_per_credential_max = limits::kConnectionsPerCredentialDefaultMax;
  std::size_t unauthenticated_max = limits::kUnauthenticatedDefaultMax;
  std::size_t unauthenticated_per_address_max = limits::kUnauthenticatedPerAddressDefaultMax;
  int64_t auth_timeout_ms = limits::kAuthTimeoutDefaultMs;
  int64_t lookups_per_second = limits::kLookupsPerSecondDefault;  // per credential
  int64_t lookup_burst = limits::kLookupBurstDefault;
  std::size_t reply_bytes_total_max = limits::kReplyBytesTotalDefaultMax;
  std::string server_version;  // told to clients in the Welcome
  // Adds the program's currency and clock to each Welcome (they may change
  // with the rules, so asked at every Hello); empty: the Welcome omits them.
  // Called on the connection's thread: must be thread safe.
  std::function<void(v1::Welcome&)> describe_program;
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
  uint64_t connections_refused = 0;  // over connections_max or per credential
  uint64_t frames_malformed = 0;
  uint64_t frames_oversized = 0;
  uint64_t timeouts = 0;
  uint64_t requests = 0;
  uint64_t tls_handshakes_failed = 0;  // plaintext or bad TLS on the TLS port
  uint64_t auth_refused[5] = {};       // by AuthRefusal (kNone: a request before Hello)
  uint64_t auth_timeouts = 0;          // no Welcome within auth_timeout_ms
  uint64_t unauthenticated_evicted = 0;
  uint64_t permission_denied = 0;
  uint64_t lookups_rate_limited = 0;
  uint64_t reply_budget_disconnects = 0;  // over their share of reply_bytes_total_max
  uint64_t revoked_disconnects = 0;       // closed by a Reload
};

class Session;

class Server {
 public:
  Server(boost::asio::io_context& io, ServerOptions options, RequestHandler& handler);
  ~Server();

  // Loads the certificate and the registers file, binds and listens. Fails
  // with a message naming the file or the address (and refuses plaintext on
  // an address that is not loopback).
  Status Listen();
  // Re-reads the certificate, key and registers file (SIGHUP). On failure
  // keeps what it had and says why. On the io thread.
  Status Reload();
  uint16_t port() const { return port_; }  // the bound port, after Listen
  void Start();                            // starts accepting (spawns the accept loop)
  void Drain(std::function<void()> done);

  std::size_t connections() const { return sessions_.size(); }
  std::size_t reply_bytes_queued() const { return reply_bytes_total_; }
  const ServerCounters& counters() const { return counters_; }

 private:
  friend class Session;
  struct CredentialUse;  // connections and the lookup bucket of one credential
  void Forget(Session* session);
  void Admit(std::shared_ptr<Session> session);  // evicts unauthenticated ones if needed
  std::string Authenticated(const Credential& credential);
  bool TakeLookup(const std::string& key_id, int64_t* retry_after_ms);
  std::size_t ReplyShare() const;
  // Replies from other threads (a shard's committer answers a whole group
  // at once) reach the io thread in one post per burst, not one per reply:
  // the first of a burst posts, the rest join the queue it takes. Shared by
  // the reply callbacks and the posted handler: it may outlive the Server.
  struct Answers;
  static void Answered(const std::shared_ptr<Answers>& answers, std::shared_ptr<Session> session,
                       std::string reply);  // any thread

  boost::asio::io_context& io_;
  ServerOptions options_;
  RequestHandler& handler_;
  boost::asio::ip::tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  bool draining_ = false;
  std::shared_ptr<boost::asio::ssl::context> tls_;  // null: plaintext
  std::shared_ptr<const CredentialBook> credentials_;
  std::list<std::shared_ptr<Session>> sessions_;
  std::size_t authenticated_ = 0;
  std::map<std::string, std::unique_ptr<CredentialUse>> uses_;  // by key id
  std::size_t reply_bytes_total_ = 0;
  std::size_t sessions_peak_ = 0;  // since memory was last handed back
  ServerCounters counters_;
  std::shared_ptr<Answers> answers_;
};

}  // namespace loyalty::net
