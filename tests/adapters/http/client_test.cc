// The HTTP client (adapters/http/client.h) against real listeners on
// loopback: its time-out bounds a server that never answers, and a Client
// keeps one connection across requests and opens another when the server
// closed it, said so or not.
#include "adapters/http/client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "tools/bench/webhook_receiver.h"

namespace loyalty {
namespace {

// A listener on a free loopback port; the kernel completes connections to it
// (the backlog) whether or not anybody accepts them.
struct Listener {
  int fd = -1;
  int port = 0;
  Listener() {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd, 16);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
  }
  ~Listener() { ::close(fd); }
  std::string address() const { return "127.0.0.1:" + std::to_string(port); }
};

http::ClientRequest Get(int64_t timeout_ms = 5'000) {
  http::ClientRequest r;
  r.target = "/hook";
  r.timeout_ms = timeout_ms;
  return r;
}

TEST(HttpClientTest, AServerThatAcceptsAndNeverAnswersEndsTheCallAtItsTimeOut) {
  Listener silent;  // connections complete; nothing is ever read or written
  for (const bool kept : {false, true}) {
    auto call = std::async(std::launch::async, [&] {
      if (!kept) return http::Call(silent.address(), Get(300));
      http::Client client(silent.address());
      return client.Call(Get(300));
    });
    ASSERT_EQ(call.wait_for(std::chrono::seconds(20)), std::future_status::ready)
        << "the call outlived its time-out (kept: " << kept << ")";
    const auto reply = call.get();
    ASSERT_FALSE(reply.ok());
    EXPECT_NE(reply.status().message().find("timed out after 300 ms"), std::string::npos)
        << reply.status().message();
  }
}

TEST(HttpClientTest, AClientKeepsOneConnectionAcrossRequestsAndReopensWhenTheServerSaysClose) {
  WebhookReceiver keeping(true);
  http::Client client("127.0.0.1:" + std::to_string(keeping.port()));
  for (int i = 0; i < 3; ++i) {
    auto reply = client.Call(Get());
    ASSERT_TRUE(reply.ok()) << reply.status().message();
    EXPECT_EQ(reply->status, 200);
  }
  EXPECT_EQ(keeping.count(), 3u);
  EXPECT_EQ(keeping.connections(), 1u);

  WebhookReceiver closing(true, /*close_each=*/true);  // "Connection: close" each time
  http::Client again("127.0.0.1:" + std::to_string(closing.port()));
  for (int i = 0; i < 3; ++i) {
    auto reply = again.Call(Get());
    ASSERT_TRUE(reply.ok()) << reply.status().message();
  }
  EXPECT_EQ(closing.count(), 3u);
  EXPECT_EQ(closing.connections(), 3u);

  // A one-off Call asks the server to close.
  ASSERT_TRUE(http::Call("127.0.0.1:" + std::to_string(keeping.port()), Get()).ok());
  const auto requests = keeping.requests();
  ASSERT_EQ(requests.size(), 4u);
  EXPECT_EQ(requests.back().headers.at("connection"), "close");
}

// A server that answers once per connection as if it kept it (HTTP/1.1, no
// "Connection: close") and then closes it without a word, as a proxy or a
// restarted receiver does: the client's next request meets a closed
// connection before any answer and goes out again on a new one.
TEST(HttpClientTest, AKeptConnectionTheServerDroppedIsReopenedAndTheRequestSentAgain) {
  Listener server;
  std::atomic<int> accepted{0}, answered{0};
  std::atomic<bool> stop{false};
  std::thread serve([&] {
    while (!stop) {
      const int fd = ::accept(server.fd, nullptr, nullptr);
      if (fd < 0) return;
      accepted += 1;
      std::string in;
      char buf[4096];
      while (in.find("\r\n\r\n") == std::string::npos) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n <= 0) break;
        in.append(buf, static_cast<std::size_t>(n));
      }
      if (in.find("\r\n\r\n") != std::string::npos) {
        constexpr std::string_view kOk = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        (void)!::write(fd, kOk.data(), kOk.size());
        answered += 1;
      }
      ::close(fd);
    }
  });
  struct Joined {  // also when an assertion below ends the test early
    std::atomic<bool>& stop;
    int fd;
    std::thread& serve;
    ~Joined() {
      stop = true;
      ::shutdown(fd, SHUT_RDWR);
      serve.join();
    }
  } joined{stop, server.fd, serve};
  http::Client client(server.address());
  for (int i = 0; i < 3; ++i) {
    auto reply = client.Call(Get());
    ASSERT_TRUE(reply.ok()) << "request " << i << ": " << reply.status().message();
    EXPECT_EQ(reply->body, "ok");
  }
  EXPECT_EQ(answered.load(), 3);
  EXPECT_EQ(accepted.load(), 3);
}

}  // namespace
}  // namespace loyalty
