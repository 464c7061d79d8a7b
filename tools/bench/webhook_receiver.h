// A webhook receiver for tests and the benchmark (loyalty-bench --webhook):
// a real HTTP/1.1 listener on 127.0.0.1 (a free port) that keeps every
// request's body and headers (or, with keep = false, only counts them) and
// answers with the status the caller sets (500 to play an outage). It keeps a
// connection open across requests, as web servers do, and closes it when the
// client asks, after 5 s idle, or (close_each) after every answer.
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
  explicit WebhookReceiver(bool keep = true, bool close_each = false);
  ~WebhookReceiver();
  int port() const { return port_; }
  std::string url(const std::string& path = "/hook") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  void Answer(int status) { status_ = status; }
  std::vector<ReceivedRequest> requests() const;
  uint64_t count() const { return count_.load(); }              // requests answered
  uint64_t events() const { return events_.load(); }            // CloudEvents in their bodies
  uint64_t connections() const { return connections_.load(); }  // accepted

 private:
  void Serve();
  int listen_fd_ = -1;
  int port_ = 0;
  const bool keep_;
  const bool close_each_;
  std::atomic<int> status_{200};
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> events_{0};
  std::atomic<uint64_t> connections_{0};
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::vector<ReceivedRequest> requests_;
  std::thread thread_;
};

}  // namespace loyalty
