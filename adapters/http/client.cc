#include "adapters/http/client.h"

#include <utility>  // before Asio (Boost 1.74)
//
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>

namespace loyalty::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

Result<ClientReply> Call(const std::string& address, const ClientRequest& request) {
  const std::size_t colon = address.rfind(':');
  if (colon == std::string::npos) return Status::Invalid("'" + address + "' is not HOST:PORT");
  asio::io_context io;
  beast::tcp_stream stream(io);
  beast::error_code ec;
  asio::ip::tcp::resolver resolver(io);
  const auto endpoints = resolver.resolve(address.substr(0, colon), address.substr(colon + 1), ec);
  if (ec) return Status::IoError("cannot resolve " + address + ": " + ec.message());
  stream.expires_after(std::chrono::milliseconds(request.timeout_ms));
  stream.connect(endpoints, ec);
  if (ec) return Status::IoError("cannot connect to " + address + ": " + ec.message());
  bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(request.method), request.target, 11};
  req.set(bhttp::field::host, address);
  if (!request.token.empty()) req.set(bhttp::field::authorization, "Bearer " + request.token);
  if (!request.body.empty()) req.set(bhttp::field::content_type, request.content_type);
  for (const auto& [name, value] : request.headers) req.set(name, value);
  req.body() = request.body;
  req.prepare_payload();
  req.keep_alive(false);
  // A server that refuses early (413) may close while the body is still
  // going out: its answer is still worth reading.
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

}  // namespace loyalty::http
