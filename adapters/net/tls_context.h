// The one TLS server setup of the register channel and the admin listener:
// TLS 1.2 or newer, a PEM certificate chain and its private key.
//
// Thread safety: a context is shared read-only once made.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "engine/status.h"

namespace loyalty::net {

// A server context for `cert` (PEM chain) and `key` (PEM); the message
// names the file and why ("tls_cert FILE: no such file").
Result<std::shared_ptr<boost::asio::ssl::context>> MakeTlsContext(const std::string& cert,
                                                                  const std::string& key);

}  // namespace loyalty::net
