// A webhook receiver for tests and the benchmark (loyalty-bench --webhook):
// a real HTTP/1.1 listener on 127.0.0.1 (a free port) that keeps every
// request's body and headers (or, with keep = false, only counts them) and
// answers with the status the caller sets (500 to play an outage), one
// request per connection, as the engine's client sends them.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace loyalty {

struct ReceivedRequest {
  std::string target;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  int answered = 0;  // the status sent back
};

class WebhookReceiver {
 public:
  explicit WebhookReceiver(bool keep = true);
  ~WebhookReceiver();
  int port() const { return port_; }
  std::string url(const std::string& path = "/hook") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  void Answer(int status) { status_ = status; }
  std::vector<ReceivedRequest> requests() const;
  uint64_t count() const { return count_.load(); }    // requests answered
  uint64_t events() const { return events_.load(); }  // CloudEvents in their bodies

 private:
  void Serve();
  int listen_fd_ = -1;
  int port_ = 0;
  const bool keep_;
  std::atomic<int> status_{200};
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> events_{0};
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::vector<ReceivedRequest> requests_;
  std::thread thread_;
};

}  // namespace loyalty
