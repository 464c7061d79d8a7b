#include "adapters/http/client.h"

#include <utility>  // before Asio (Boost 1.74)
//
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>

namespace loyalty::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace {

template <class Stream>
Result<ClientReply> Exchange(Stream& stream, const std::string& address,
                             const ClientRequest& request) {
  bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(request.method), request.target, 11};
  req.set(bhttp::field::host, address);
  if (!request.token.empty()) req.set(bhttp::field::authorization, "Bearer " + request.token);
  if (!request.body.empty()) req.set(bhttp::field::content_type, request.content_type);
  for (const auto& [name, value] : request.headers) req.set(name, value);
  req.body() = request.body;
  req.prepare_payload();
  req.keep_alive(false);
  // A server that refuses early (413, 401) may close while the body is still
  // going out: its answer is still worth reading.
  beast::error_code ec;
  bhttp::write(stream, req, ec);
  beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> res;
  bhttp::read(stream, buffer, res, ec);
  if (ec) return Status::IoError("no answer from " + address + ": " + ec.message());
  ClientReply reply{static_cast<int>(res.result_int()),
                    res.body(),
                    std::string(res[bhttp::field::content_type]),
                    {}};
  for (const auto& field : res) {
    reply.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  return reply;
}

}  // namespace

Result<ClientReply> Call(const std::string& target_address, const ClientRequest& request) {
  constexpr std::string_view kHttps = "https://";
  const bool https = target_address.rfind(kHttps, 0) == 0;
  const std::string address =
      target_address.rfind(kHttps, 0) == 0 ? target_address.substr(kHttps.size()) : target_address;
  const std::size_t colon = address.rfind(':');
  if (colon == std::string::npos) return Status::Invalid("'" + address + "' is not HOST:PORT");
  const std::string host = address.substr(0, colon);
  asio::io_context io;
  beast::tcp_stream tcp(io);
  beast::error_code ec;
  asio::ip::tcp::resolver resolver(io);
  const auto endpoints = resolver.resolve(host, address.substr(colon + 1), ec);
  if (ec) return Status::IoError("cannot resolve " + address + ": " + ec.message());
  tcp.expires_after(std::chrono::milliseconds(request.timeout_ms));
  tcp.connect(endpoints, ec);
  if (ec) return Status::IoError("cannot connect to " + address + ": " + ec.message());
  if (!https) return Exchange(tcp, address, request);
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  if (request.ca_path.empty()) {
    ctx.set_default_verify_paths(ec);
  } else {
    ctx.load_verify_file(request.ca_path, ec);
  }
  if (ec) return Status::Invalid("CA file " + request.ca_path + ": " + ec.message());
  ctx.set_verify_mode(asio::ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> tls(std::move(tcp), ctx);
  tls.set_verify_callback(asio::ssl::host_name_verification(host));
  if (asio::ip::make_address(host, ec); ec) {  // a name, not an address: say it (SNI)
    SSL_set_tlsext_host_name(tls.native_handle(), host.c_str());
  }
  tls.handshake(asio::ssl::stream_base::client, ec);
  if (ec) return Status::IoError("TLS with " + address + " failed: " + ec.message());
  return Exchange(tls, address, request);
}

}  // namespace loyalty::http
