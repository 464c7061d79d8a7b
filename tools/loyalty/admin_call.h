// A request to a running loyaltyd's admin API as every CLI command makes it:
// the bearer token from --token or else $LOYALTY_ADMIN_TOKEN (kept out of
// `ps`), and for https:// the CA certificates in $LOYALTY_CA.
#pragma once

#include <cstdint>
#include <string>

#include "adapters/http/client.h"

namespace loyalty::cli {

http::ClientRequest AdminRequest(std::string method, std::string target, const std::string& token,
                                 int64_t timeout_ms);

}  // namespace loyalty::cli
