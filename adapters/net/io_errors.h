// What a failed socket call or TLS operation says, as the blocking clients
// report it (client.cc; adapters/replication/peer_link.cc).
#pragma once

#include <openssl/err.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "engine/status.h"

namespace loyalty::net {

// IoError "what: <strerror(errno)>".
inline Status Errno(const std::string& what) {
  return Status::IoError(what + ": " + std::strerror(errno));
}

// OpenSSL's oldest queued error (the queue cleared), or "the connection
// ended" when it has none (a peer that closed).
inline std::string TlsError() {
  const unsigned long e = ERR_get_error();
  if (e == 0) return "the connection ended";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

}  // namespace loyalty::net
