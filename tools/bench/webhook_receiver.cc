#include "tools/bench/webhook_receiver.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>

namespace loyalty {

WebhookReceiver::WebhookReceiver(bool keep) : keep_(keep) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::listen(listen_fd_, 64);
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { Serve(); });
}

WebhookReceiver::~WebhookReceiver() {
  stop_ = true;
  thread_.join();
  ::close(listen_fd_);
}

std::vector<ReceivedRequest> WebhookReceiver::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

void WebhookReceiver::Serve() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    const int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) continue;
    std::string in;
    char buf[65536];
    std::size_t header_end = std::string::npos, length = 0;
    while (true) {
      pollfd c{fd, POLLIN, 0};
      if (::poll(&c, 1, 5'000) <= 0) break;
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n <= 0) break;
      in.append(buf, static_cast<std::size_t>(n));
      if (header_end == std::string::npos &&
          (header_end = in.find("\r\n\r\n")) != std::string::npos) {
        std::string lower = in.substr(0, header_end);
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char ch) { return std::tolower(ch); });
        const std::size_t at = lower.find("content-length:");
        if (at != std::string::npos) length = std::stoul(lower.substr(at + 15));
      }
      if (header_end != std::string::npos && in.size() >= header_end + 4 + length) break;
    }
    ReceivedRequest r;
    if (header_end != std::string::npos) {
      const std::string head = in.substr(0, header_end);
      const std::size_t sp1 = head.find(' '), sp2 = head.find(' ', sp1 + 1);
      r.target = head.substr(sp1 + 1, sp2 - sp1 - 1);
      std::size_t line = head.find("\r\n");
      while (line != std::string::npos) {
        const std::size_t next = head.find("\r\n", line + 2);
        const std::string h =
            head.substr(line + 2, next == std::string::npos ? std::string::npos : next - line - 2);
        const std::size_t colon = h.find(':');
        if (colon != std::string::npos) {
          std::string name = h.substr(0, colon);
          std::transform(name.begin(), name.end(), name.begin(),
                         [](unsigned char ch) { return std::tolower(ch); });
          std::string value = h.substr(colon + 1);
          while (!value.empty() && value.front() == ' ') value.erase(0, 1);
          r.headers[name] = value;
        }
        line = next;
      }
      r.body = in.substr(header_end + 4, length);
    }
    r.answered = status_.load();
    const std::string reply = "HTTP/1.1 " + std::to_string(r.answered) +
                              " X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    (void)!::write(fd, reply.data(), reply.size());
    ::close(fd);
    count_ += 1;
    constexpr std::string_view kEvent = "{\"specversion\":";
    uint64_t events = 0;
    for (std::size_t at = r.body.find(kEvent); at != std::string::npos;
         at = r.body.find(kEvent, at + kEvent.size())) {
      events += 1;
    }
    events_ += events;
    if (!keep_) continue;
    std::lock_guard lock(mu_);
    requests_.push_back(std::move(r));
  }
}

}  // namespace loyalty
