// A TCP port free on 127.0.0.1 now, for servers a test starts that cannot
// listen on port 0 and report back. It is taken below the kernel's
// ephemeral range (ip_local_port_range) when there is room: a port the
// kernel hands out is handed out again, to any process's outgoing
// connection or port-0 listener, between our check and the server's bind
// (a group test once lost its replication port that way). Another test
// may still pick the same port by chance: callers retry on a failed start.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <random>

namespace loyalty::testing {

// Whether `port` (0: any) binds on 127.0.0.1; the port bound, or 0.
inline int BindsOnLoopback(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  socklen_t len = sizeof addr;
  int bound = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    bound = ntohs(addr.sin_port);
  }
  ::close(fd);
  return bound;
}

inline int FreePort() {
  int ephemeral_low = 32768, ephemeral_high = 60999;
  std::ifstream("/proc/sys/net/ipv4/ip_local_port_range") >> ephemeral_low >> ephemeral_high;
  constexpr int kLowest = 10'000;
  if (ephemeral_low - kLowest >= 1'000) {
    static thread_local std::mt19937 pick(static_cast<unsigned>(
        ::getpid() ^ std::chrono::steady_clock::now().time_since_epoch().count()));
    std::uniform_int_distribution<int> in(kLowest, ephemeral_low - 1);
    for (int tries = 0; tries < 100; ++tries) {
      if (const int port = BindsOnLoopback(in(pick)); port != 0) return port;
    }
  }
  return BindsOnLoopback(0);
}

}  // namespace loyalty::testing
