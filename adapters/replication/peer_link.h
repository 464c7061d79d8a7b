// PeerLink: one blocking connection between two nodes of a replicated group,
// carrying length-prefixed protobuf messages (proto/loyalty/v1/replication.proto),
// over TLS (OpenSSL) or, between loopback addresses only, plaintext.
//
// Every read and write gives up after the link's timeout (SO_RCVTIMEO,
// SO_SNDTIMEO), so a peer that vanishes without a reset costs at most that
// long. Cancel() may be called from another thread: it shuts the socket
// down, and a call blocked on it returns an error at once.
// Thread safety: one reader and one writer at a time, Cancel from anyone.
#pragma once

#include <google/protobuf/message_lite.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "engine/status.h"

namespace loyalty::replication {

// The TLS side of a node: its certificate and key (the register channel's),
// and the CA its peers' certificates are checked against. Empty: plaintext.
struct LinkTls {
  std::string cert_file;
  std::string key_file;
  std::string ca_file;
  bool enabled() const { return !ca_file.empty(); }
};

class PeerLink {
 public:
  static constexpr uint32_t kMessageBytesMax = 64u << 20;

  static Result<std::unique_ptr<PeerLink>> Connect(const std::string& host_port, const LinkTls& tls,
                                                   int64_t timeout_ms);
  // Takes an accepted socket; the TLS handshake (server side) happens here.
  static Result<std::unique_ptr<PeerLink>> Accept(int fd, const LinkTls& tls, int64_t timeout_ms);
  ~PeerLink();
  PeerLink(const PeerLink&) = delete;
  PeerLink& operator=(const PeerLink&) = delete;

  Status Send(const google::protobuf::MessageLite& message);
  Status Receive(google::protobuf::MessageLite* message);
  // Bytes of the next message are already here (a read would not wait).
  bool Readable();
  void SetTimeout(int64_t timeout_ms);
  void Cancel();
  std::string peer() const { return peer_; }

 private:
  PeerLink(int fd, std::string peer);
  Status WriteAll(const char* data, size_t size);
  Status ReadAll(char* data, size_t size);
  Status StartTls(const LinkTls& tls, bool server);

  int fd_;
  std::string peer_;
  std::atomic<bool> cancelled_{false};
  struct Tls;
  std::unique_ptr<Tls> tls_;
};

// Listens on "HOST:PORT" (port 0: any free one); Invalid on a bad address.
Result<int> ListenOn(const std::string& host_port, uint16_t* bound_port);

}  // namespace loyalty::replication
