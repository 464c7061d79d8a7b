#include "adapters/net/client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "adapters/net/framing.h"
#include "adapters/net/io_errors.h"
#include "engine/limits.h"

namespace loyalty::net {

struct Client::Tls {
  SSL_CTX* ctx = nullptr;
  SSL* ssl = nullptr;
  ~Tls() {
    if (ssl != nullptr) SSL_free(ssl);
    if (ctx != nullptr) SSL_CTX_free(ctx);
  }
};

Result<std::unique_ptr<Client>> Client::Connect(const std::string& host_port,
                                                const ClientOptions& options) {
  auto client = ConnectPlain(host_port, options.timeout_ms, options.bind_address);
  if (!client.ok()) return client;
  std::string host;
  uint16_t port = 0;
  SplitHostPort(host_port, &host, &port);
  if (options.tls) {
    if (Status s = client.value()->StartTls(options, host); !s.ok()) return s;
  }
  if (!options.key_id.empty()) {
    if (Status s = client.value()->Hello(options); !s.ok()) return s;
  }
  return client;
}

Status Client::StartTls(const ClientOptions& options, const std::string& host) {
  if (options.ca_file.empty()) {
    return Status::Invalid(
        "TLS needs the CA certificate that signed the server's (--ca FILE or "
        "LOYALTY_CA), or --plaintext for a server with register_tls: off");
  }
  // OpenSSL writes with send() without MSG_NOSIGNAL: a server that closed
  // must be an error, not a SIGPIPE that kills the caller.
  static const bool kSigpipeIgnored = std::signal(SIGPIPE, SIG_IGN) != SIG_ERR;
  (void)kSigpipeIgnored;
  tls_ = std::make_unique<Tls>();
  tls_->ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_min_proto_version(tls_->ctx, TLS1_2_VERSION);
  SSL_CTX_set_verify(tls_->ctx, SSL_VERIFY_PEER, nullptr);
  if (SSL_CTX_load_verify_locations(tls_->ctx, options.ca_file.c_str(), nullptr) != 1) {
    return Status::Invalid("CA file " + options.ca_file + ": " + TlsError());
  }
  tls_->ssl = SSL_new(tls_->ctx);
  const std::string name = options.server_name.empty() ? host : options.server_name;
  X509_VERIFY_PARAM* param = SSL_get0_param(tls_->ssl);
  in_addr ip{};
  if (inet_pton(AF_INET, name.c_str(), &ip) == 1) {
    X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str());
  } else {
    X509_VERIFY_PARAM_set1_host(param, name.c_str(), 0);
    SSL_set_tlsext_host_name(tls_->ssl, name.c_str());
  }
  SSL_set_fd(tls_->ssl, fd_);
  if (SSL_connect(tls_->ssl) != 1) {
    const long verify = SSL_get_verify_result(tls_->ssl);
    const std::string why = verify != X509_V_OK ? std::string("the server's certificate: ") +
                                                      X509_verify_cert_error_string(verify)
                                                : TlsError();
    Close();
    return Status::IoError("TLS handshake with " + host + ": " + why);
  }
  return Status::Ok();
}

Status Client::Hello(const ClientOptions& options) {
  v1::Request r;
  v1::Hello* h = r.mutable_hello();
  h->set_key_id(options.key_id);
  h->set_secret(options.secret);
  h->set_client(options.client);
  auto reply = Call(std::move(r));
  if (!reply.ok()) return reply.status();
  if (reply->has_error()) {
    Close();
    return Status(reply->error().code() == v1::OVERLOADED ? StatusCode::kUnavailable
                                                          : StatusCode::kInvalidArgument,
                  "the server refused credential " + options.key_id + ": " +
                      v1::ErrorCode_Name(reply->error().code()) + ": " + reply->error().message());
  }
  welcome_ = reply->welcome();
  return Status::Ok();
}

Result<std::unique_ptr<Client>> Client::ConnectPlain(const std::string& host_port,
                                                     int64_t timeout_ms,
                                                     const std::string& bind_address) {
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
  SetSocketTimeouts(fd, timeout_ms);
  if (!bind_address.empty()) {
    sockaddr_in local{};
    local.sin_family = AF_INET;
    if (inet_pton(AF_INET, bind_address.c_str(), &local.sin_addr) != 1 ||
        ::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
      Status s = Errno("bind to " + bind_address);
      ::close(fd);
      return s;
    }
  }
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    Status s = Errno("connect to " + host_port);
    ::close(fd);
    return s;
  }
  return std::unique_ptr<Client>(new Client(fd, timeout_ms));
}

Client::Client(int fd, int64_t timeout_ms) : fd_(fd), timeout_ms_(timeout_ms) {}

Client::~Client() { Close(); }

void Client::Close() {
  tls_.reset();
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Status Client::SendBytes(std::string_view bytes) {
  if (fd_ < 0) return Status::IoError("connection is closed");
  while (!bytes.empty()) {
    if (tls_) {
      const int n = SSL_write(tls_->ssl, bytes.data(), static_cast<int>(bytes.size()));
      if (n <= 0) {
        Status s = Status::IoError("send: " + TlsError());
        Close();
        return s;
      }
      bytes.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
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
  if (tls_) {
    errno = 0;
    const int got = SSL_read(tls_->ssl, buf, sizeof buf);
    if (got > 0) {
      in_.append(buf, static_cast<std::size_t>(got));
      return Status::Ok();
    }
    const int err = SSL_get_error(tls_->ssl, got);
    const bool timed_out = err == SSL_ERROR_WANT_READ || (errno == EAGAIN || errno == EWOULDBLOCK);
    ERR_clear_error();
    Close();
    return timed_out ? Status::Unavailable("no reply within " + std::to_string(timeout_ms_) + " ms")
                     : Status::IoError("the server closed the connection");
  }
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
  if (tls_) SSL_shutdown(tls_->ssl);  // close_notify; replies can still be read
  if (fd_ >= 0 && !tls_) ::shutdown(fd_, SHUT_WR);
}

bool Client::ServerClosed() {
  while (true) {
    // Replies that arrive first are kept for Receive; EOF or reset says closed.
    const Status s = ReadSome();
    if (!s.ok()) return s.code() == StatusCode::kIoError;
  }
}

}  // namespace loyalty::net
