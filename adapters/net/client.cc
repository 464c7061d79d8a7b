#include "adapters/net/client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "adapters/net/framing.h"
#include "engine/limits.h"

namespace loyalty::net {
namespace {

Status Errno(const std::string& what) {
  return Status::IoError(what + ": " + std::strerror(errno));
}

}  // namespace

Result<std::unique_ptr<Client>> Client::Connect(const std::string& host_port, int64_t timeout_ms) {
  std::string host;
  uint16_t port = 0;
  if (!SplitHostPort(host_port, &host, &port)) {
    return Status::Invalid("server address '" + host_port + "' is not HOST:PORT");
  }
  if (host == "localhost") host = "127.0.0.1";
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    return Status::Invalid("server host '" + host + "' is not an IPv4 address");
  }
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Errno("socket");
  timeval tv{static_cast<time_t>(timeout_ms / 1000),
             static_cast<suseconds_t>(timeout_ms % 1000 * 1000)};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    Status s = Errno("connect to " + host_port);
    ::close(fd);
    return s;
  }
  return std::unique_ptr<Client>(new Client(fd, timeout_ms));
}

Client::~Client() { Close(); }

void Client::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Status Client::SendBytes(std::string_view bytes) {
  if (fd_ < 0) return Status::IoError("connection is closed");
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      Status s = Errno("send");
      Close();
      return s;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return Status::Ok();
}

Status Client::Send(const v1::Request& request) {
  std::string framed;
  AppendFrame(framed, request.SerializeAsString());
  return SendBytes(framed);
}

Status Client::ReadSome() {
  if (fd_ < 0) return Status::IoError("connection is closed");
  char buf[16384];
  ssize_t n;
  do {
    n = ::recv(fd_, buf, sizeof buf, 0);
  } while (n < 0 && errno == EINTR);
  if (n == 0) {
    Close();
    return Status::IoError("the server closed the connection");
  }
  if (n < 0) {
    Status s = (errno == EAGAIN || errno == EWOULDBLOCK)
                   ? Status::Unavailable("no reply within " + std::to_string(timeout_ms_) + " ms")
                   : Errno("recv");
    Close();
    return s;
  }
  in_.append(buf, static_cast<std::size_t>(n));
  return Status::Ok();
}

Result<v1::Reply> Client::Receive() {
  while (true) {
    const FrameHeader h = ParseFrameHeader(in_, limits::kFrameBytesMax);
    if (h.status == FrameStatus::kComplete) {
      v1::Reply reply;
      const bool ok =
          reply.ParseFromArray(in_.data() + h.prefix_bytes, static_cast<int>(h.body_bytes));
      in_.erase(0, h.prefix_bytes + h.body_bytes);
      if (!ok) return Status::Corruption("the server sent a reply that does not decode");
      return reply;
    }
    if (h.status != FrameStatus::kNeedMore) {
      Close();
      return Status::Corruption("the server sent a broken frame");
    }
    if (Status s = ReadSome(); !s.ok()) return s;
  }
}

Result<v1::Reply> Client::Call(v1::Request request) {
  if (request.request_id() == 0) request.set_request_id(next_request_id_++);
  if (Status s = Send(request); !s.ok()) return s;
  while (true) {
    auto reply = Receive();
    if (!reply.ok() || reply->request_id() == request.request_id()) return reply;
  }
}

void Client::HalfClose() {
  if (fd_ >= 0) ::shutdown(fd_, SHUT_WR);
}

bool Client::ServerClosed() {
  while (true) {
    // Replies that arrive first are kept for Receive; EOF or reset says closed.
    const Status s = ReadSome();
    if (!s.ok()) return s.code() == StatusCode::kIoError;
  }
}

}  // namespace loyalty::net
