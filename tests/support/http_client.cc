#include "tests/support/http_client.h"

#include <algorithm>
#include <cctype>

#include "adapters/http/client.h"

namespace loyalty::testing {

HttpReply Http(int port, const std::string& method, const std::string& target,
               const std::string& token, const std::string& body,
               const std::vector<std::pair<std::string, std::string>>& headers) {
  http::ClientRequest request{method, target, token, body, "application/json", headers, 30'000};
  auto reply = http::Call("127.0.0.1:" + std::to_string(port), request);
  if (!reply.ok()) return {};
  return {reply->status, reply->body, reply->content_type, reply->headers};
}

std::string HttpReply::Header(const std::string& name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() &&
        std::equal(key.begin(), key.end(), name.begin(),
                   [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
      return value;
    }
  }
  return "";
}

}  // namespace loyalty::testing
