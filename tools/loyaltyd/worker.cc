#include "tools/loyaltyd/worker.h"

#include "tools/wiring/background.h"

namespace loyalty {

Worker::Worker(std::size_t waiting_max)
    : waiting_max_(waiting_max), thread_([this] {
        YieldToSales();  // a report or a simulation waits for the sales, not they for it
        Work();
      }) {}

Worker::~Worker() { Stop(); }

bool Worker::Queue(std::function<void()> job, const http::Respond& respond) {
  {
    std::lock_guard lock(mu_);
    if (!stop_ && jobs_.size() <= waiting_max_) {
      jobs_.emplace_back(std::move(job), respond);
      ready_.notify_one();
      return true;
    }
  }
  respond(http::JsonError(503, "BUSY", "other reports or checks are running; retry in a moment"));
  return false;
}

void Worker::Work() {
  std::unique_lock lock(mu_);
  while (true) {
    ready_.wait(lock, [&] { return stop_ || !jobs_.empty(); });
    if (stop_) break;
    auto job = std::move(jobs_.front().first);
    jobs_.pop_front();
    lock.unlock();
    job();
    lock.lock();
  }
  for (auto& [job, respond] : jobs_) {
    respond(http::JsonError(503, "STOPPING", "the server is stopping; the job was not done"));
  }
  jobs_.clear();
}

void Worker::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  ready_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace loyalty
