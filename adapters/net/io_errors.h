// The blocking sockets' common parts (client.cc; adapters/replication/
// peer_link.cc): their timeouts, and what a failed socket call or TLS
// operation says.
#pragma once

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>

#include "engine/status.h"

namespace loyalty::net {

// Every read and write on `fd` gives up after `timeout_ms`; no Nagle delay.
inline void SetSocketTimeouts(int fd, int64_t timeout_ms) {
  timeval tv{static_cast<time_t>(timeout_ms / 1000),
             static_cast<suseconds_t>(timeout_ms % 1000 * 1000)};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

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
