// PeerLink over TLS (adapters/replication/peer_link.h): both nodes show a
// certificate of the group's CA and check the other's. Names are not
// checked (a pod's address changes; docs/OPERATIONS.md): the group's secret,
// which the feed checks, is the second proof. Real TLS on loopback,
// certificates made with openssl for each test.
#include "adapters/replication/peer_link.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "loyalty/v1/replication.pb.h"
#include "tests/support/pki.h"
#include "tests/support/temp_dir.h"

namespace loyalty::replication {
namespace {

// One connection accepted with `tls`: its hello echoed back.
class Peer {
 public:
  explicit Peer(const LinkTls& tls) {
    auto fd = ListenOn("127.0.0.1:0", &port_);
    EXPECT_TRUE(fd.ok()) << fd.status().ToString();
    listen_fd_ = *fd;
    thread_ = std::thread([this, tls] {
      const int conn = ::accept(listen_fd_, nullptr, nullptr);
      if (conn < 0) return;
      auto link = PeerLink::Accept(conn, tls, 3000);
      if (!link.ok()) {
        accepted_ = link.status();
        return;
      }
      v1::PeerHello hello;
      if ((*link)->Receive(&hello).ok()) (void)(*link)->Send(hello);
    });
  }
  ~Peer() {
    ::shutdown(listen_fd_, SHUT_RDWR);
    thread_.join();
    ::close(listen_fd_);
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  Status accepted() const { return accepted_; }

 private:
  uint16_t port_ = 0;
  int listen_fd_ = -1;
  Status accepted_ = Status::Ok();
  std::thread thread_;
};

// Connects to `address` with `tls`, says hello, and gets it back.
Status RoundTrip(const std::string& address, const LinkTls& tls) {
  auto link = PeerLink::Connect(address, tls, 3000);
  if (!link.ok()) return link.status();
  v1::PeerHello hello;
  hello.set_node_id("n1");
  if (Status s = (*link)->Send(hello); !s.ok()) return s;
  v1::PeerHello back;
  if (Status s = (*link)->Receive(&back); !s.ok()) return s;
  return back.node_id() == "n1" ? Status::Ok() : Status::Corruption("another hello came back");
}

TEST(PeerLinkTest, TwoNodesOfTheGroupTalkOverTls) {
  testing::TempDir dir;
  const testing::TestPki pki = testing::MakeCertificates(dir.path());
  const LinkTls node{pki.cert, pki.key, pki.ca};  // IP:127.0.0.1, DNS:localhost
  Peer peer(node);
  EXPECT_TRUE(RoundTrip(peer.address(), node).ok());
}

TEST(PeerLinkTest, ACertificateOfAnotherCaIsRefusedBothWays) {
  testing::TempDir dir_a, dir_b;
  const testing::TestPki a = testing::MakeCertificates(dir_a.path());
  const testing::TestPki b = testing::MakeCertificates(dir_b.path());
  {
    // A stranger's server: the connecting node refuses it.
    Peer stranger(LinkTls{b.cert, b.key, b.ca});
    const Status s = RoundTrip(stranger.address(), LinkTls{a.cert, a.key, a.ca});
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find("its certificate"), std::string::npos) << s.message();
  }
  // A stranger connecting: the node refuses it.
  Peer node(LinkTls{a.cert, a.key, a.ca});
  EXPECT_FALSE(RoundTrip(node.address(), LinkTls{b.cert, b.key, a.ca}).ok());
}

}  // namespace
}  // namespace loyalty::replication
