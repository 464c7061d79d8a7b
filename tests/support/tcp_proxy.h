// A TCP proxy on 127.0.0.1 for fault injection: every connection accepted on
// port() is forwarded to 127.0.0.1:target_port. Cut() stops every byte in
// both directions while connections stay open (a network partition: no RST,
// no FIN, the peers just hear nothing); Heal() lets them flow again. New
// connections made while cut are accepted and held, as a partition would.
//
// Thread safety: Cut and Heal from any thread; one forwarding thread inside.
#pragma once

#include <atomic>
#include <string>
#include <thread>

namespace loyalty::testing {

class TcpProxy {
 public:
  explicit TcpProxy(int target_port);
  ~TcpProxy();  // closes every connection
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  bool ok() const { return port_ != 0; }
  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

  void Cut() { cut_ = true; }
  void Heal() { cut_ = false; }

 private:
  void Run();

  const int target_port_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> cut_{false};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace loyalty::testing
