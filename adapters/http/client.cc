#include "adapters/http/client.h"

#include <utility>  // before Asio (Boost 1.74)
//
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <optional>

namespace loyalty::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

// Every step is asynchronous on the client's own io_context, run until the
// exchange ends: Beast's timeouts bound asynchronous operations only, so a
// server that accepts and never answers ends the call after timeout_ms.
struct Client::Conn {
  std::string address;  // HOST:PORT
  std::string host, port;
  bool https = false;
  std::string ca_path;
  asio::io_context io;
  std::optional<asio::ssl::context> tls_context;  // made once: the CA file read once
  std::optional<beast::tcp_stream> tcp;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;
  std::chrono::steady_clock::time_point deadline;  // of the call under way

  bool open() const { return tcp.has_value() || tls.has_value(); }
  beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *tcp; }
  void Close() {
    beast::error_code ignored;
    if (open()) lowest().socket().close(ignored);
    tls.reset();
    tcp.reset();
    buffer.clear();
  }
};

namespace {

asio::awaitable<Status> Open(Client::Conn& c) {
  beast::error_code ec;
  asio::ip::tcp::resolver resolver(c.io);
  const auto endpoints = resolver.resolve(c.host, c.port, ec);
  if (ec) co_return Status::IoError("cannot resolve " + c.address + ": " + ec.message());
  beast::tcp_stream tcp(c.io);
  tcp.expires_at(c.deadline);
  co_await tcp.async_connect(endpoints, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return Status::IoError("cannot connect to " + c.address + ": " + ec.message());
  tcp.socket().set_option(asio::ip::tcp::no_delay(true), ec);
  if (!c.https) {
    c.tcp.emplace(std::move(tcp));
    co_return Status::Ok();
  }
  c.tls.emplace(std::move(tcp), *c.tls_context);
  c.tls->set_verify_callback(asio::ssl::host_name_verification(c.host));
  if (asio::ip::make_address(c.host, ec); ec) {  // a name, not an address: say it (SNI)
    SSL_set_tlsext_host_name(c.tls->native_handle(), c.host.c_str());
  }
  co_await c.tls->async_handshake(asio::ssl::stream_base::client,
                                  asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    c.Close();
    co_return Status::IoError("TLS with " + c.address + " failed: " + ec.message());
  }
  co_return Status::Ok();
}

template <class Stream>
asio::awaitable<void> Send(Stream& stream, bhttp::request<bhttp::string_body>& req, Client::Conn& c,
                           bhttp::response<bhttp::string_body>& res, beast::error_code& write_ec,
                           beast::error_code& read_ec) {
  co_await bhttp::async_write(stream, req, asio::redirect_error(asio::use_awaitable, write_ec));
  // A server that refuses early (413, 401) may close while the body is still
  // going out: its answer is still worth reading.
  co_await bhttp::async_read(stream, c.buffer, res,
                             asio::redirect_error(asio::use_awaitable, read_ec));
}

}  // namespace

Client::Client(std::string address, std::string ca_path, bool keep_alive)
    : conn_(std::make_unique<Conn>()), keep_alive_(keep_alive) {
  constexpr std::string_view kHttps = "https://";
  conn_->https = address.rfind(kHttps, 0) == 0;
  conn_->address = conn_->https ? address.substr(kHttps.size()) : address;
  conn_->ca_path = std::move(ca_path);
  const std::size_t colon = conn_->address.rfind(':');
  if (colon != std::string::npos) {
    conn_->host = conn_->address.substr(0, colon);
    conn_->port = conn_->address.substr(colon + 1);
  }
}

Client::~Client() = default;

Result<ClientReply> Client::Call(const ClientRequest& request) {
  Conn& c = *conn_;
  if (c.host.empty()) return Status::Invalid("'" + c.address + "' is not HOST:PORT");
  if (c.https && !c.tls_context) {
    beast::error_code ec;
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    if (c.ca_path.empty()) {
      ctx.set_default_verify_paths(ec);
    } else {
      ctx.load_verify_file(c.ca_path, ec);
    }
    if (ec) return Status::Invalid("CA file " + c.ca_path + ": " + ec.message());
    ctx.set_verify_mode(asio::ssl::verify_peer);
    c.tls_context.emplace(std::move(ctx));
  }
  bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(request.method), request.target, 11};
  req.set(bhttp::field::host, c.address);
  if (!request.token.empty()) req.set(bhttp::field::authorization, "Bearer " + request.token);
  if (!request.body.empty()) req.set(bhttp::field::content_type, request.content_type);
  for (const auto& [name, value] : request.headers) req.set(name, value);
  req.body() = request.body;
  req.prepare_payload();
  req.keep_alive(keep_alive_);

  c.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(request.timeout_ms);
  std::optional<Result<ClientReply>> out;
  // A kept connection the server closed meanwhile fails before any answer
  // arrives: sent again once, on a new connection (the receivers of a
  // webhook take an event twice by its id anyway).
  for (int attempt = 0; attempt < 2 && !out; ++attempt) {
    const bool reused = c.open();
    bhttp::response<bhttp::string_body> res;
    beast::error_code write_ec, read_ec;
    Status opened = Status::Ok();
    c.io.restart();
    asio::co_spawn(
        c.io,
        [&]() -> asio::awaitable<void> {
          if (!c.open()) {
            opened = co_await Open(c);
            if (!opened.ok()) co_return;
          }
          c.lowest().expires_at(c.deadline);
          if (c.tls) {
            co_await Send(*c.tls, req, c, res, write_ec, read_ec);
          } else {
            co_await Send(*c.tcp, req, c, res, write_ec, read_ec);
          }
        },
        asio::detached);
    c.io.run();
    if (!opened.ok()) {
      out = opened;
      break;
    }
    if (read_ec) {
      c.Close();
      const bool never_answered =
          read_ec == bhttp::error::end_of_stream || read_ec == asio::error::eof ||
          read_ec == asio::error::connection_reset || read_ec == asio::error::broken_pipe;
      if (reused && never_answered && attempt == 0) continue;
      out = Status::IoError("no answer from " + c.address + ": " +
                            (read_ec == beast::error::timeout
                                 ? "timed out after " + std::to_string(request.timeout_ms) + " ms"
                                 : read_ec.message()));
      break;
    }
    ClientReply reply{static_cast<int>(res.result_int()),
                      std::move(res.body()),
                      std::string(res[bhttp::field::content_type]),
                      {}};
    for (const auto& field : res) {
      reply.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    if (!keep_alive_ || !res.keep_alive() || write_ec) c.Close();
    out = std::move(reply);
  }
  return std::move(*out);
}

Result<ClientReply> Call(const std::string& address, const ClientRequest& request) {
  return Client(address, request.ca_path, false).Call(request);
}

}  // namespace loyalty::http
