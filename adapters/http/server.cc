#include "adapters/http/server.h"

#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <type_traits>

#include "adapters/http/target.h"
#include "adapters/net/tls_context.h"

namespace loyalty::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;
using Ms = std::chrono::milliseconds;

namespace {

bhttp::response<bhttp::string_body> ToBeast(const Response& r, unsigned version, bool keep_alive) {
  bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(r.status), version};
  res.set(bhttp::field::server, "loyaltyd");
  res.set(bhttp::field::content_type, r.content_type);
  res.set(bhttp::field::cache_control, "no-store");
  // The console's pages run only this origin's scripts and styles, talk only
  // to it, and are never framed (docs/SECURITY.md).
  res.set("Content-Security-Policy",
          "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
          "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("X-Frame-Options", "DENY");
  res.set("Referrer-Policy", "no-referrer");
  for (const auto& [name, value] : r.headers) res.insert(name, value);
  res.keep_alive(keep_alive);
  res.body() = r.body;
  res.prepare_payload();
  return res;
}

// After refusing a request whose rest is still coming (over a limit, or
// over the connection cap): stop sending, then read and drop what the client
// still sends, a little and briefly, so that closing does not reset the
// connection and lose the refusal on the way.
asio::awaitable<void> CloseGently(beast::tcp_stream& stream) {
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream.expires_after(std::chrono::seconds(1));
  std::array<char, 4096> sink;
  for (std::size_t dropped = 0; !ec && dropped < (64u << 10);) {
    dropped += co_await stream.async_read_some(asio::buffer(sink),
                                               asio::redirect_error(asio::use_awaitable, ec));
  }
  stream.socket().close(ec);
}

// Answers 503 OVERLOADED on a connection beyond the cap, then closes it.
asio::awaitable<void> Refuse(std::shared_ptr<beast::tcp_stream> stream) {
  auto res =
      ToBeast(JsonError(503, "OVERLOADED", "too many admin connections; retry later"), 11, false);
  stream->expires_after(std::chrono::seconds(1));
  beast::error_code ec;
  co_await bhttp::async_write(*stream, res, asio::redirect_error(asio::use_awaitable, ec));
  co_await CloseGently(*stream);
}

// The answer a handler gives later, from any thread.
struct Pending {
  explicit Pending(asio::any_io_executor ex) : wake(ex) {}
  std::optional<Response> response;
  asio::steady_timer wake;
};

}  // namespace

// One connection; StreamSession reads and answers its requests, over TCP or
// TLS.
class Session {
 public:
  Session(Server& server, bool probe_only) : server_(server), probe_only_(probe_only) {}
  virtual ~Session() = default;
  virtual void Start() = 0;
  virtual void Close() = 0;
  bool probe_only() const { return probe_only_; }

 protected:
  Server& server_;
  const bool probe_only_;  // beyond connections_max: one probe, nothing else
};

namespace {

bool IsProbe(const Request& r) {
  return r.method == "GET" && (r.path == "/healthz" || r.path == "/readyz");
}

// The request line and headers as the router sees them; a refusal when
// the path holds an encoded slash.
std::optional<Response> ReadHead(const bhttp::request<bhttp::string_body>& req, Request& r,
                                 Credentials& c) {
  r.method = std::string(req.method_string());
  std::optional<Response> refusal =
      ReadTarget(std::string_view(req.target().data(), req.target().size()), r);
  r.content_type = std::string(req[bhttp::field::content_type]);
  c = Credentials{std::string(req[bhttp::field::authorization]),
                  std::string(req[bhttp::field::cookie]), std::string(req["X-CSRF-Token"])};
  return refusal;
}

bool Benign(const beast::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
         ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
         ec == asio::error::eof || ec == asio::ssl::error::stream_truncated;
}

}  // namespace

template <class Stream>
class StreamSession final : public Session,
                            public std::enable_shared_from_this<StreamSession<Stream>> {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  StreamSession(Server& server, bool probe_only, Stream stream)
      : Session(server, probe_only), stream_(std::move(stream)) {}

  void Start() override {
    auto self = this->shared_from_this();
    asio::co_spawn(
        stream_.get_executor(), [self]() { return self->Loop(); }, asio::detached);
  }
  void Close() override {
    beast::error_code ec;
    Lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
    Lowest().socket().close(ec);
  }

 private:
  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }
  int64_t HeadTimeoutMs() const {
    const ServerOptions& o = server_.options_;
    return probe_only_ ? o.probe_timeout_ms : o.timeout_ms;
  }

  asio::awaitable<void> Loop() {
    bool shaken = true;
    if constexpr (kTls) {
      Lowest().expires_after(Ms(HeadTimeoutMs()));
      beast::error_code ec;
      co_await stream_.async_handshake(asio::ssl::stream_base::server,
                                       asio::redirect_error(asio::use_awaitable, ec));
      shaken = !ec;
    }
    if (shaken) co_await Serve();
    Close();
    server_.Forget(this);
  }

  // Requests one after the other (keep-alive), each admitted on its head
  // before its body is read.
  asio::awaitable<void> Serve() {
    const ServerOptions& o = server_.options_;
    beast::flat_buffer buffer;
    while (true) {
      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(o.header_bytes_max));
      parser.body_limit(o.body_bytes_max);
      Lowest().expires_after(Ms(HeadTimeoutMs()));
      beast::error_code ec;
      co_await bhttp::async_read_header(stream_, buffer, parser,
                                        asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        co_await ReadFailed(ec);
        co_return;
      }
      server_.counters_.requests += 1;
      const auto& head = parser.get();
      const unsigned version = head.version();
      const bool keep = head.keep_alive() && !probe_only_;
      Request r;
      Credentials credentials;
      std::optional<Response> refusal = ReadHead(head, r, credentials);
      if (!refusal && probe_only_ && !IsProbe(r)) {
        refusal = JsonError(503, "OVERLOADED", "too many admin connections; retry later");
      }
      if (refusal) server_.router_.Refused(r, *refusal);
      const Route* route = nullptr;
      if (!refusal) {
        auto admitted = server_.router_.Admit(r, credentials);
        if (auto* no = std::get_if<Response>(&admitted)) {
          refusal = std::move(*no);
        } else {
          route = std::get<const Route*>(admitted);
        }
      }
      if (refusal) {
        // The body, if any, stays unread: answer, and close when one comes.
        const bool body_coming = !parser.is_done();
        co_await Send(*refusal, version, keep && !body_coming);
        if (body_coming) co_await CloseGently(Lowest());
        if (!keep || body_coming) co_return;
        continue;
      }
      if (!parser.is_done()) {
        Lowest().expires_after(Ms(o.timeout_ms));
        co_await bhttp::async_read(stream_, buffer, parser,
                                   asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
          co_await ReadFailed(ec);
          co_return;
        }
      }
      r.body = std::move(parser.get().body());
      Response response = co_await Answer(*route, std::move(r));
      co_await Send(response, version, keep);
      if (!keep) co_return;
    }
  }

  // A request that could not be read whole: over a limit or not HTTP gets
  // its refusal; a closed or idle connection just ends.
  asio::awaitable<void> ReadFailed(const beast::error_code& ec) {
    const ServerOptions& o = server_.options_;
    if (ec == bhttp::error::header_limit) {
      co_await Send(
          JsonError(431, "HEADERS_TOO_LARGE",
                    "request headers are over " + std::to_string(o.header_bytes_max) + " bytes"),
          11, false);
    } else if (ec == bhttp::error::body_limit) {
      co_await Send(JsonError(413, "BODY_TOO_LARGE",
                              "request body is over " + std::to_string(o.body_bytes_max) +
                                  " bytes (admin_body_bytes_max)"),
                    11, false);
    } else if (!Benign(ec)) {
      co_await Send(JsonError(400, "BAD_REQUEST", "not an HTTP/1.1 request: " + ec.message()), 11,
                    false);
    } else {
      co_return;
    }
    co_await CloseGently(Lowest());
  }

  asio::awaitable<Response> Answer(const Route& route, Request r) {
    auto pending = std::make_shared<Pending>(stream_.get_executor());
    pending->wake.expires_after(Ms(server_.options_.timeout_ms));
    auto ex = stream_.get_executor();
    const Request kept = r;  // for the refusal's report, if late
    server_.router_.Run(route, std::move(r), [pending, ex](Response response) {
      asio::post(ex, [pending, response = std::move(response)]() mutable {
        pending->response = std::move(response);
        pending->wake.cancel();
      });
    });
    if (!pending->response) {
      beast::error_code ec;
      co_await pending->wake.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    if (!pending->response) {
      Response late = JsonError(503, "TIMEOUT", "the request took too long; it may still finish");
      server_.router_.Refused(kept, late);
      co_return late;
    }
    co_return std::move(*pending->response);
  }

  asio::awaitable<void> Send(const Response& response, unsigned version, bool keep_alive) {
    auto res = ToBeast(response, version, keep_alive);
    Lowest().expires_after(Ms(server_.options_.timeout_ms));
    beast::error_code ec;
    co_await bhttp::async_write(stream_, res, asio::redirect_error(asio::use_awaitable, ec));
  }

  Stream stream_;
};

Server::Server(asio::io_context& io, ServerOptions options, const Router& router)
    : io_(io), options_(std::move(options)), router_(router), acceptor_(io) {}

Server::~Server() = default;

Status Server::Listen() {
  if (!options_.tls_cert_path.empty() || !options_.tls_key_path.empty()) {
    auto made = net::MakeTlsContext(options_.tls_cert_path, options_.tls_key_path);
    if (!made.ok()) return Status::Invalid("admin listener: " + made.status().message());
    tls_ = std::move(made).value();
  }
  const std::string where = options_.host + ":" + std::to_string(options_.port);
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(options_.host, ec);
  if (ec) return Status::Invalid("admin address " + where + ": " + ec.message());
  const tcp::endpoint endpoint(address, options_.port);
  if (acceptor_.open(endpoint.protocol(), ec); ec) {
    return Status::IoError("admin " + where + ": " + ec.message());
  }
  acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (acceptor_.bind(endpoint, ec); ec) {
    return Status::IoError("cannot listen on admin " + where + ": " + ec.message());
  }
  if (acceptor_.listen(asio::socket_base::max_listen_connections, ec); ec) {
    return Status::IoError("cannot listen on admin " + where + ": " + ec.message());
  }
  port_ = acceptor_.local_endpoint().port();
  return Status::Ok();
}

void Server::Start() {
  asio::co_spawn(
      io_,
      [this]() -> asio::awaitable<void> {
        while (acceptor_.is_open()) {
          boost::system::error_code ec;
          tcp::socket socket =
              co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
          if (ec) {
            if (!acceptor_.is_open()) co_return;
            continue;
          }
          const std::size_t regular = sessions_.size() - probe_sessions_;
          if (regular < options_.connections_max) {
            Admit(std::move(socket), false);
          } else if (probe_sessions_ < options_.probe_connections_max) {
            counters_.probe_connections += 1;
            Admit(std::move(socket), true);
          } else {
            counters_.connections_refused += 1;
            if (tls_) continue;  // the socket closes: no HTTP before a handshake
            asio::co_spawn(io_, Refuse(std::make_shared<beast::tcp_stream>(std::move(socket))),
                           asio::detached);
          }
        }
      },
      asio::detached);
}

void Server::Stop() {
  boost::system::error_code ec;
  acceptor_.close(ec);
  for (auto& s : sessions_) s->Close();
}

void Server::Admit(tcp::socket socket, bool probe_only) {
  counters_.connections_accepted += 1;
  std::shared_ptr<Session> session;
  if (tls_) {
    using Tls = beast::ssl_stream<beast::tcp_stream>;
    session = std::make_shared<StreamSession<Tls>>(
        *this, probe_only, Tls(beast::tcp_stream(std::move(socket)), *tls_));
  } else {
    session = std::make_shared<StreamSession<beast::tcp_stream>>(
        *this, probe_only, beast::tcp_stream(std::move(socket)));
  }
  if (probe_only) probe_sessions_ += 1;
  sessions_.push_back(session);
  session->Start();
}

void Server::Forget(Session* session) {
  if (session->probe_only()) probe_sessions_ -= 1;
  sessions_.remove_if([session](const auto& s) { return s.get() == session; });
}

}  // namespace loyalty::http
