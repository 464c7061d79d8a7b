#include "adapters/replication/peer_link.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "adapters/net/framing.h"
#include "adapters/net/io_errors.h"

namespace loyalty::replication {
namespace {

using net::Errno;
using net::TlsError;

using net::SetSocketTimeouts;

Result<sockaddr_in> Resolve(const std::string& host_port) {
  std::string host;
  uint16_t port = 0;
  if (!net::SplitHostPort(host_port, &host, &port)) {
    return Status::Invalid("address '" + host_port + "' is not HOST:PORT");
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) == 1) return addr;
  // A name (a pod's DNS name, a host in /etc/hosts): its first IPv4 address.
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (const int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &found); rc != 0) {
    return Status::Unavailable("address '" + host_port + "': " + ::gai_strerror(rc));
  }
  addr.sin_addr = reinterpret_cast<const sockaddr_in*>(found->ai_addr)->sin_addr;
  ::freeaddrinfo(found);
  return addr;
}

}  // namespace

struct PeerLink::Tls {
  SSL_CTX* ctx = nullptr;
  SSL* ssl = nullptr;
  ~Tls() {
    if (ssl != nullptr) SSL_free(ssl);
    if (ctx != nullptr) SSL_CTX_free(ctx);
  }
};

PeerLink::PeerLink(int fd, std::string peer) : fd_(fd), peer_(std::move(peer)) {}

PeerLink::~PeerLink() {
  tls_.reset();
  ::close(fd_);
}

Result<std::unique_ptr<PeerLink>> PeerLink::Connect(const std::string& host_port,
                                                    const LinkTls& tls, int64_t timeout_ms) {
  auto addr = Resolve(host_port);
  if (!addr.ok()) return addr.status();
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Errno("socket");
  SetSocketTimeouts(fd, timeout_ms);
  std::unique_ptr<PeerLink> link(new PeerLink(fd, host_port));
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&*addr), sizeof *addr) != 0) {
    return Errno("connect to " + host_port);
  }
  if (tls.enabled()) {
    if (Status s = link->StartTls(tls, false); !s.ok()) return s;
  }
  return link;
}

Result<std::unique_ptr<PeerLink>> PeerLink::Accept(int fd, const LinkTls& tls, int64_t timeout_ms) {
  SetSocketTimeouts(fd, timeout_ms);
  sockaddr_in addr{};
  socklen_t len = sizeof addr;
  char text[INET_ADDRSTRLEN] = "?";
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    inet_ntop(AF_INET, &addr.sin_addr, text, sizeof text);
  }
  std::unique_ptr<PeerLink> link(
      new PeerLink(fd, std::string(text) + ":" + std::to_string(ntohs(addr.sin_port))));
  if (tls.enabled()) {
    if (Status s = link->StartTls(tls, true); !s.ok()) return s;
  }
  return link;
}

// Both sides present a certificate signed by the group's CA and check the
// other's: a node talks only to nodes of its group.
Status PeerLink::StartTls(const LinkTls& tls, bool server) {
  static const bool kSigpipeIgnored = std::signal(SIGPIPE, SIG_IGN) != SIG_ERR;
  (void)kSigpipeIgnored;
  tls_ = std::make_unique<Tls>();
  tls_->ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
  SSL_CTX_set_min_proto_version(tls_->ctx, TLS1_2_VERSION);
  SSL_CTX_set_verify(tls_->ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  if (SSL_CTX_load_verify_locations(tls_->ctx, tls.ca_file.c_str(), nullptr) != 1) {
    return Status::Invalid("replication_ca " + tls.ca_file + ": " + TlsError());
  }
  if (SSL_CTX_use_certificate_chain_file(tls_->ctx, tls.cert_file.c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(tls_->ctx, tls.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    return Status::Invalid("replication certificate " + tls.cert_file + ": " + TlsError());
  }
  tls_->ssl = SSL_new(tls_->ctx);
  SSL_set_fd(tls_->ssl, fd_);
  if ((server ? SSL_accept(tls_->ssl) : SSL_connect(tls_->ssl)) != 1) {
    const long verify = SSL_get_verify_result(tls_->ssl);
    return Status::IoError("TLS handshake with " + peer_ + ": " +
                           (verify != X509_V_OK ? std::string("its certificate: ") +
                                                      X509_verify_cert_error_string(verify)
                                                : TlsError()));
  }
  return Status::Ok();
}

bool PeerLink::Readable() {
  if (tls_ && SSL_pending(tls_->ssl) > 0) return true;
  pollfd p{fd_, POLLIN, 0};
  return ::poll(&p, 1, 0) > 0 && (p.revents & POLLIN) != 0;
}

void PeerLink::SetTimeout(int64_t timeout_ms) { SetSocketTimeouts(fd_, timeout_ms); }

void PeerLink::Cancel() {
  cancelled_.store(true);
  ::shutdown(fd_, SHUT_RDWR);
}

Status PeerLink::WriteAll(const char* data, size_t size) {
  while (size > 0) {
    if (cancelled_.load()) return Status::Unavailable("link to " + peer_ + " closed");
    const long n = tls_ ? SSL_write(tls_->ssl, data, static_cast<int>(size))
                        : ::send(fd_, data, size, MSG_NOSIGNAL);
    if (n <= 0) {
      if (!tls_ && n < 0 && errno == EINTR) continue;
      return Status::IoError("send to " + peer_ + ": " +
                             (tls_ ? TlsError() : std::string(std::strerror(errno))));
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status PeerLink::ReadAll(char* data, size_t size) {
  while (size > 0) {
    if (cancelled_.load()) return Status::Unavailable("link to " + peer_ + " closed");
    const long n =
        tls_ ? SSL_read(tls_->ssl, data, static_cast<int>(size)) : ::recv(fd_, data, size, 0);
    if (n == 0) return Status::IoError(peer_ + " closed the connection");
    if (n < 0) {
      if (!tls_ && errno == EINTR) continue;
      const bool timed_out = errno == EAGAIN || errno == EWOULDBLOCK;
      return Status::IoError((timed_out ? "no word from " + peer_ + " in time"
                                        : "receive from " + peer_ + ": " +
                                              (tls_ ? TlsError() : std::strerror(errno))));
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status PeerLink::Send(const google::protobuf::MessageLite& message) {
  std::string out(4, '\0');
  const size_t size = message.ByteSizeLong();
  if (size > kMessageBytesMax) {
    return Status::Invalid("a replication message of " + std::to_string(size) +
                           " bytes is over the limit");
  }
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>((size >> (24 - 8 * i)) & 0xff);
  message.AppendToString(&out);
  return WriteAll(out.data(), out.size());
}

Status PeerLink::Receive(google::protobuf::MessageLite* message) {
  unsigned char prefix[4];
  if (Status s = ReadAll(reinterpret_cast<char*>(prefix), 4); !s.ok()) return s;
  const uint32_t size = (uint32_t{prefix[0]} << 24) | (uint32_t{prefix[1]} << 16) |
                        (uint32_t{prefix[2]} << 8) | prefix[3];
  if (size > kMessageBytesMax) {
    return Status::Corruption(peer_ + " sent a message of " + std::to_string(size) +
                              " bytes, over the limit");
  }
  std::string body(size, '\0');
  if (Status s = ReadAll(body.data(), size); !s.ok()) return s;
  if (!message->ParseFromString(body)) {
    return Status::Corruption(peer_ + " sent bytes that are not the expected message");
  }
  return Status::Ok();
}

Result<int> ListenOn(const std::string& host_port, uint16_t* bound_port) {
  auto addr = Resolve(host_port);
  if (!addr.ok()) return addr.status();
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Errno("socket");
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&*addr), sizeof *addr) != 0 ||
      ::listen(fd, 16) != 0) {
    const Status s = Errno("listen on " + host_port);
    ::close(fd);
    return s;
  }
  sockaddr_in bound{};
  socklen_t len = sizeof bound;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
  *bound_port = ntohs(bound.sin_port);
  return fd;
}

}  // namespace loyalty::replication
