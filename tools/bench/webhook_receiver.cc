#include "tools/bench/webhook_receiver.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>

namespace loyalty {

WebhookReceiver::WebhookReceiver(bool keep, bool close_each)
    : keep_(keep), close_each_(close_each) {
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

namespace {

// Parses the request at the front of `in` (head and Content-Length body):
// false while it is incomplete. Takes it out of `in`.
bool TakeRequest(std::string& in, ReceivedRequest* r) {
  const std::size_t header_end = in.find("\r\n\r\n");
  if (header_end == std::string::npos) return false;
  const std::string head = in.substr(0, header_end);
  std::size_t length = 0;
  ReceivedRequest parsed;
  const std::size_t sp1 = head.find(' '), sp2 = head.find(' ', sp1 + 1);
  parsed.target = head.substr(sp1 + 1, sp2 - sp1 - 1);
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
      if (name == "content-length") length = std::stoul(value);
      parsed.headers[name] = value;
    }
    line = next;
  }
  if (in.size() < header_end + 4 + length) return false;
  parsed.body = in.substr(header_end + 4, length);
  in.erase(0, header_end + 4 + length);
  *r = std::move(parsed);
  return true;
}

}  // namespace

void WebhookReceiver::Serve() {
  constexpr int64_t kIdleCloseMs = 5'000;  // as web servers close idle kept-alive connections
  struct Conn {
    int fd;
    std::string in;
    std::chrono::steady_clock::time_point last;
  };
  std::vector<Conn> conns;
  char buf[65536];
  while (!stop_) {
    std::vector<pollfd> fds{{listen_fd_, POLLIN, 0}};
    for (const Conn& c : conns) fds.push_back({c.fd, POLLIN, 0});
    if (::poll(fds.data(), fds.size(), 50) < 0) continue;
    const auto now = std::chrono::steady_clock::now();
    if (fds[0].revents & POLLIN) {
      if (const int fd = ::accept(listen_fd_, nullptr, nullptr); fd >= 0) {
        connections_ += 1;
        conns.push_back({fd, "", now});
      }
    }
    for (std::size_t i = 0; i < conns.size(); ++i) {
      Conn& c = conns[i];
      bool open = true;
      if (i + 1 < fds.size() && fds[i + 1].revents != 0) {
        const ssize_t n = ::read(c.fd, buf, sizeof buf);
        if (n > 0) {
          c.in.append(buf, static_cast<std::size_t>(n));
          c.last = now;
        } else {
          open = false;
        }
      }
      ReceivedRequest r;
      while (open && TakeRequest(c.in, &r)) {
        r.answered = status_.load();
        open = !close_each_ && r.headers["connection"] != "close";
        const std::string reply =
            "HTTP/1.1 " + std::to_string(r.answered) +
            " X\r\nContent-Length: 0\r\nConnection: " + (open ? "keep-alive" : "close") +
            "\r\n\r\n";
        (void)!::write(c.fd, reply.data(), reply.size());
        constexpr std::string_view kEvent = "{\"specversion\":";
        uint64_t events = 0;
        for (std::size_t at = r.body.find(kEvent); at != std::string::npos;
             at = r.body.find(kEvent, at + kEvent.size())) {
          events += 1;
        }
        events_ += events;
        count_ += 1;
        if (keep_) {
          std::lock_guard lock(mu_);
          requests_.push_back(std::move(r));
        }
      }
      if (open && now - c.last > std::chrono::milliseconds(kIdleCloseMs)) open = false;
      if (!open) {
        ::close(c.fd);
        c.fd = -1;
      }
    }
    std::erase_if(conns, [](const Conn& c) { return c.fd < 0; });
  }
  for (const Conn& c : conns) ::close(c.fd);
}

}  // namespace loyalty
