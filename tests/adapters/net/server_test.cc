// The server with a handler the test controls: it holds replies until told,
// which is what backpressure, drain and timeouts need to be shown.
#include "adapters/net/server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <boost/asio/post.hpp>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "adapters/net/client.h"
#include "adapters/net/framing.h"
#include "tests/support/pki.h"

namespace loyalty::net {
namespace {

class HeldHandler : public RequestHandler {
 public:
  void Handle(v1::Request request, ReplyFn reply) override {
    std::lock_guard lock(mu_);
    received_ += 1;
    held_.push_back({request.request_id(), std::move(reply)});
    if (!holding_) ReleaseLocked();
  }
  void Hold() {
    std::lock_guard lock(mu_);
    holding_ = true;
  }
  void ReleaseAll() {
    std::lock_guard lock(mu_);
    holding_ = false;
    ReleaseLocked();
  }
  int received() {
    std::lock_guard lock(mu_);
    return received_;
  }

 private:
  void ReleaseLocked() {
    for (auto& [id, reply] : held_) {
      v1::Reply r;
      r.set_request_id(id);
      r.mutable_decision()->set_points_earned(static_cast<int64_t>(id));
      reply(r.SerializeAsString());
    }
    held_.clear();
  }
  std::mutex mu_;
  bool holding_ = false;
  int received_ = 0;
  std::vector<std::pair<uint64_t, ReplyFn>> held_;
};

// A server on 127.0.0.1:0 on its own io thread.
class ServerFixture : public ::testing::Test {
 protected:
  void StartServer(ServerOptions options = {}) {
    options.host = "127.0.0.1";
    options.port = 0;
    if (options.registers_path.empty()) {  // TLS with the test PKI unless a test chose
      options.tls_cert_path = loyalty::testing::Pki().cert;
      options.tls_key_path = loyalty::testing::Pki().key;
      options.registers_path = loyalty::testing::Pki().registers;
    }
    server_ = std::make_unique<Server>(io_, options, handler_);
    ASSERT_TRUE(server_->Listen().ok());
    server_->Start();
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }
  std::unique_ptr<Client> Connect() {
    auto c = loyalty::testing::ConnectAs("127.0.0.1:" + std::to_string(server_->port()), "ops-test",
                                         3000);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? std::move(*c) : nullptr;
  }
  static v1::Request Lookup(uint64_t id) {
    v1::Request r;
    r.set_request_id(id);
    r.mutable_lookup()->set_card("C");
    return r;
  }

  boost::asio::io_context io_;
  HeldHandler handler_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

TEST_F(ServerFixture, AnswersPipelinedRequestsEachWithItsOwnId) {
  StartServer();
  auto c = Connect();
  for (uint64_t id = 1; id <= 10; ++id) ASSERT_TRUE(c->Send(Lookup(id)).ok());
  std::set<uint64_t> seen;
  for (int i = 0; i < 10; ++i) {
    auto r = c->Receive();
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->decision().points_earned(), static_cast<int64_t>(r->request_id()));
    seen.insert(r->request_id());
  }
  EXPECT_EQ(seen.size(), 10u);
}

TEST_F(ServerFixture, StopsReadingAtTheInFlightLimitUntilRepliesDrain) {
  ServerOptions options;
  options.inflight_max = 4;
  StartServer(options);
  handler_.Hold();
  auto c = Connect();
  for (uint64_t id = 1; id <= 10; ++id) ASSERT_TRUE(c->Send(Lookup(id)).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(handler_.received(), 4);  // the other six wait in the socket
  handler_.ReleaseAll();
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(c->Receive().ok());
  EXPECT_EQ(handler_.received(), 10);
}

// A client that sends but never reads: once its unread replies pass the
// bound, the server stops reading it, so memory stays bounded.
TEST_F(ServerFixture, StopsReadingAClientThatNeverReadsItsReplies) {
  ServerOptions options;
  options.reply_bytes_queued_max = 64 * 1024;
  StartServer(options);
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  const int small = 4096;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(server_->port());
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ::fcntl(fd, F_SETFL, O_NONBLOCK);
  std::string frames;
  for (uint64_t id = 1; id <= 1000; ++id) AppendFrame(frames, Lookup(id).SerializeAsString());
  auto send_for = [&](std::chrono::milliseconds d) {
    const auto end = std::chrono::steady_clock::now() + d;
    std::size_t at = 0;
    while (std::chrono::steady_clock::now() < end) {
      const ssize_t n = ::send(fd, frames.data() + at, frames.size() - at, MSG_NOSIGNAL);
      if (n > 0)
        at = (at + static_cast<std::size_t>(n)) % frames.size();
      else
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  };
  send_for(std::chrono::milliseconds(1500));
  const int stalled_at = handler_.received();
  send_for(std::chrono::milliseconds(1000));
  EXPECT_LT(handler_.received() - stalled_at, 100) << "the server kept reading";
  ::close(fd);
}

TEST_F(ServerFixture, RefusesConnectionsBeyondTheLimitWithOverloaded) {
  ServerOptions options;
  options.connections_max = 2;
  StartServer(options);
  auto a = Connect();
  auto b = Connect();
  ASSERT_TRUE(a->Call(Lookup(1)).ok());
  ASSERT_TRUE(b->Call(Lookup(1)).ok());
  // The third is refused at its Hello: OVERLOADED reaches it (no reset).
  auto third = loyalty::testing::ConnectAs("127.0.0.1:" + std::to_string(server_->port()));
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(third.status().message().find("OVERLOADED"), std::string::npos)
      << third.status().message();
  ASSERT_TRUE(a->Call(Lookup(2)).ok());  // the others are unaffected
}

TEST_F(ServerFixture, ClosesAConnectionThatStallsInTheMiddleOfAFrame) {
  ServerOptions options;
  options.read_timeout_ms = 200;
  StartServer(options);
  auto c = Connect();
  std::string frame;
  AppendFrame(frame, Lookup(1).SerializeAsString());
  ASSERT_TRUE(c->SendBytes(frame.substr(0, frame.size() - 2)).ok());  // truncated
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(c->ServerClosed());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_EQ(server_->counters().timeouts, 1u);
}

TEST_F(ServerFixture, ClosesAnIdleConnection) {
  ServerOptions options;
  options.idle_timeout_ms = 200;
  StartServer(options);
  auto c = Connect();
  ASSERT_TRUE(c->Call(Lookup(1)).ok());
  EXPECT_TRUE(c->ServerClosed());
}

// A client that drips empty frames (a 1-byte frame every 50 ms) is not
// active: it is closed at the idle time like one that sends nothing.
TEST_F(ServerFixture, EmptyFramesDoNotKeepAnIdleConnectionOpen) {
  ServerOptions options;
  options.idle_timeout_ms = 300;
  StartServer(options);
  auto c = Connect();
  ASSERT_TRUE(c->Call(Lookup(1)).ok());
  const auto start = std::chrono::steady_clock::now();
  bool closed = false;
  while (std::chrono::steady_clock::now() - start < std::chrono::seconds(5)) {
    if (!c->SendBytes(std::string(1, '\0')).ok()) {  // an empty frame
      closed = true;
      break;
    }
    auto r = c->Receive();  // UNKNOWN_MESSAGE, or the end
    if (!r.ok()) {
      closed = true;
      break;
    }
    EXPECT_EQ(r->error().code(), v1::UNKNOWN_MESSAGE);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(closed) << "an empty-frame drip kept the connection open for 5 s";
}

TEST_F(ServerFixture, DrainAnswersWhatWasAcceptedThenCloses) {
  StartServer();
  handler_.Hold();
  auto c = Connect();
  for (uint64_t id = 1; id <= 3; ++id) ASSERT_TRUE(c->Send(Lookup(id)).ok());
  while (handler_.received() < 3) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::atomic<bool> drained{false};
  boost::asio::post(io_, [&] { server_->Drain([&] { drained = true; }); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_FALSE(drained);  // still owes three replies
  handler_.ReleaseAll();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(c->Receive().ok());
  while (!drained) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_TRUE(c->ServerClosed());
}

}  // namespace
}  // namespace loyalty::net
