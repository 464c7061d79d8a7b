#include "tools/loyalty/admin_call.h"

#include <cstdlib>

namespace loyalty::cli {

http::ClientRequest AdminRequest(std::string method, std::string target, const std::string& token,
                                 int64_t timeout_ms) {
  http::ClientRequest req;
  req.method = std::move(method);
  req.target = std::move(target);
  req.token = token;
  if (req.token.empty()) {
    if (const char* t = std::getenv("LOYALTY_ADMIN_TOKEN")) req.token = t;
  }
  req.timeout_ms = timeout_ms;
  if (const char* ca = std::getenv("LOYALTY_CA")) req.ca_path = ca;
  return req;
}

}  // namespace loyalty::cli
