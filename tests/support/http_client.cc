#include "tests/support/http_client.h"

#include <utility>  // before Asio (Boost 1.74)
//
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace loyalty::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

HttpReply Http(int port, const std::string& method, const std::string& target,
               const std::string& token, const std::string& body,
               const std::vector<std::pair<std::string, std::string>>& headers) {
  HttpReply out;
  asio::io_context io;
  beast::tcp_stream stream(io);
  beast::error_code ec;
  stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"),
                                         static_cast<unsigned short>(port)),
                 ec);
  if (ec) return out;
  stream.expires_after(std::chrono::seconds(30));  // a hung server fails the test, not CI
  bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
  req.set(bhttp::field::host, "127.0.0.1");
  if (!token.empty()) req.set(bhttp::field::authorization, "Bearer " + token);
  for (const auto& [name, value] : headers) req.set(name, value);
  req.body() = body;
  req.prepare_payload();
  req.keep_alive(false);
  bhttp::write(stream, req, ec);
  if (ec) return out;
  beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> res;
  bhttp::read(stream, buffer, res, ec);
  if (ec) return out;
  out.status = static_cast<int>(res.result_int());
  out.body = res.body();
  out.content_type = std::string(res[bhttp::field::content_type]);
  return out;
}

}  // namespace loyalty::testing
