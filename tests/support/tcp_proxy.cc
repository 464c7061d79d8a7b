#include "tests/support/tcp_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <utility>
#include <vector>

namespace loyalty::testing {
namespace {

constexpr int kPollMs = 10;  // how soon Cut, Heal and the destructor take effect

sockaddr_in Loopback(int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  return addr;
}

// Everything in `data`, or false when the peer is gone.
bool SendAll(int fd, const char* data, ssize_t size) {
  while (size > 0) {
    const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n <= 0) return false;
    data += n;
    size -= n;
  }
  return true;
}

}  // namespace

TcpProxy::TcpProxy(int target_port) : target_port_(target_port) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr = Loopback(0);
  socklen_t len = sizeof addr;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 16) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return;
  }
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { Run(); });
}

TcpProxy::~TcpProxy() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

void TcpProxy::Run() {
  std::vector<std::pair<int, int>> pairs;  // (client side, target side)
  std::vector<pollfd> fds;
  while (!stop_) {
    const bool flowing = !cut_;
    fds.assign(1, pollfd{listen_fd_, POLLIN, 0});
    if (flowing) {
      for (const auto& [client, target] : pairs) {
        fds.push_back({client, POLLIN, 0});
        fds.push_back({target, POLLIN, 0});
      }
    }
    if (::poll(fds.data(), fds.size(), kPollMs) <= 0) continue;
    if (fds[0].revents & POLLIN) {
      const int client = ::accept(listen_fd_, nullptr, nullptr);
      const int target = ::socket(AF_INET, SOCK_STREAM, 0);
      const sockaddr_in to = Loopback(target_port_);
      if (client >= 0 &&
          ::connect(target, reinterpret_cast<const sockaddr*>(&to), sizeof to) == 0) {
        pairs.push_back({client, target});
      } else {
        if (client >= 0) ::close(client);
        ::close(target);
      }
    }
    if (!flowing) continue;
    std::vector<bool> closed(pairs.size(), false);
    for (size_t i = 1; i < fds.size(); ++i) {
      if (fds[i].revents == 0) continue;
      const size_t pair = (i - 1) / 2;
      const bool from_client = (i - 1) % 2 == 0;
      const int in = from_client ? pairs[pair].first : pairs[pair].second;
      const int out = from_client ? pairs[pair].second : pairs[pair].first;
      char buffer[65536];
      const ssize_t n = ::recv(in, buffer, sizeof buffer, 0);
      if (n <= 0 || !SendAll(out, buffer, n)) closed[pair] = true;
    }
    for (size_t i = pairs.size(); i-- > 0;) {
      if (!closed[i]) continue;
      ::close(pairs[i].first);
      ::close(pairs[i].second);
      pairs.erase(pairs.begin() + static_cast<std::ptrdiff_t>(i));
    }
  }
  for (const auto& [client, target] : pairs) {
    ::close(client);
    ::close(target);
  }
}

}  // namespace loyalty::testing
