// A request's target ("/v1/audit?limit=5&x=y") read into its decoded path
// and query, as the server reads it before routing. Pure functions.
#pragma once

#include <optional>
#include <string_view>

#include "adapters/http/router.h"

namespace loyalty::http {

// Sets r.path and r.query from `target`, percent-decoded ('+' is a space).
// Returns the refusal when the target cannot be routed honestly: an encoded
// slash in the path ("/v1/customers/a%2Fb/adjust" would decode into another
// route's shape) is 400 ENCODED_SLASH.
std::optional<Response> ReadTarget(std::string_view target, Request& r);

}  // namespace loyalty::http
