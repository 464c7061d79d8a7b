// Worker: the admin API's one thread for the slow jobs (reports, the RFM
// recomputation, simulations, the checks before an activation), so that they
// never hold the io thread that serves the registers. One job runs at a
// time; up to waiting_max more wait, in order; beyond, 503 BUSY.
//
// Thread safety: Queue from any thread; Stop once, before what the jobs use
// goes away (it finishes the running job and answers the waiting ones 503).
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>

#include "adapters/http/router.h"

namespace loyalty {

class Worker {
 public:
  static constexpr std::size_t kWaitingMax = 4;  // jobs queued behind the running one

  explicit Worker(std::size_t waiting_max = kWaitingMax);
  ~Worker();  // Stop()s

  // Queues `job`; `respond` is what answers its request if it never runs
  // (busy now: at once; stopping: later). False when refused.
  bool Queue(std::function<void()> job, const http::Respond& respond);
  void Stop();

 private:
  void Work();

  const std::size_t waiting_max_;
  std::mutex mu_;
  std::condition_variable ready_;
  std::deque<std::pair<std::function<void()>, http::Respond>> jobs_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace loyalty
