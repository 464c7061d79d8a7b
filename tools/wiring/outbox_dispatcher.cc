#include "tools/wiring/outbox_dispatcher.h"

#include <algorithm>
#include <chrono>
#include <random>

#include "tools/wiring/background.h"

namespace loyalty {
namespace {

int64_t WallMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// The event's "time" would need a JSON parser; the dispatcher ages a batch
// from when it first saw it instead.
}  // namespace

OutboxDispatcher::OutboxDispatcher(Store& store, std::vector<std::unique_ptr<OutboxSink>> sinks,
                                   DispatcherOptions options)
    : store_(store), sinks_(std::move(sinks)), options_(options) {}

OutboxDispatcher::~OutboxDispatcher() { Stop(); }

void OutboxDispatcher::Start() { thread_ = std::thread(&OutboxDispatcher::Run, this); }

void OutboxDispatcher::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

DispatcherStats OutboxDispatcher::stats() const {
  std::lock_guard lock(mu_);
  DispatcherStats s = stats_;
  const uint64_t staged = store_.outbox_last_seq();
  s.backlog = staged > delivered_through_ ? staged - delivered_through_ : 0;
  return s;
}

bool OutboxDispatcher::Pause(int64_t ms) {
  std::unique_lock lock(mu_);
  wake_.wait_for(lock, std::chrono::milliseconds(ms), [&] { return stop_; });
  return !stop_;
}

void OutboxDispatcher::Run() {
  YieldToSales(options_.nice);
  std::mt19937_64 jitter(std::random_device{}());
  uint64_t cursor = 0;             // the last sequence delivered or given up on
  uint32_t tries = 0;              // failures in a row of the batch at the head
  uint64_t head_seq = 0;           // the first sequence of that batch
  int64_t head_first_seen_ms = 0;  // when it was first read
  bool lingering = false;          // the last batch delivered took all there was
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (stop_) return;
    }
    if (lingering) {
      lingering = false;
      if (!Pause(options_.linger_ms)) return;
    }
    const uint64_t readable = store_.outbox_readable_seq();  // before the read: <= its bound
    auto batch = store_.ReadOutbox(cursor, options_.batch_max);
    if (!batch.ok() || batch->empty()) {
      if (batch.ok()) {
        // Nothing after the cursor up to `readable`: all of it was delivered
        // (before a restart, say), or never staged here.
        cursor = std::max(cursor, readable);
        std::lock_guard lock(mu_);
        delivered_through_ = cursor;
        stats_.oldest_age_ms = 0;
      }
      if (!Pause(options_.idle_poll_ms)) return;
      continue;
    }
    const int64_t now = WallMs();
    if (batch->front().seq != head_seq) {
      head_seq = batch->front().seq;
      head_first_seen_ms = now;
      tries = 0;
    }
    // The events move out for the sinks; the dead letters take the records
    // from the store, by sequence.
    std::vector<std::string> events;
    std::vector<uint64_t> seqs;
    events.reserve(batch->size());
    seqs.reserve(batch->size());
    for (Store::OutboxItem& item : *batch) {
      events.push_back(std::move(item.event_json));
      seqs.push_back(item.seq);
    }
    Status failed = Status::Ok();
    for (const auto& sink : sinks_) {
      failed = sink->Deliver(events);
      if (!failed.ok()) {
        failed = Status::Unavailable(sink->name() + ": " + failed.message());
        break;
      }
    }
    if (failed.ok()) {
      const Status acked = store_.AckOutbox(seqs);
      cursor = seqs.back();  // even if the acknowledgement failed: at least once, not twice now
      std::lock_guard lock(mu_);
      if (acked.ok()) {
        stats_.delivered += seqs.size();
        delivered_through_ = std::max(delivered_through_, seqs.back());
      } else {
        stats_.last_error = acked.message();
      }
      stats_.oldest_age_ms = 0;
      tries = 0;
      lingering = seqs.back() >= readable;  // it took all there was to read
      continue;
    }
    tries += 1;
    {
      std::lock_guard lock(mu_);
      stats_.failures += 1;
      stats_.last_error = failed.message();
      stats_.oldest_age_ms = now - head_first_seen_ms;
    }
    if (tries >= options_.max_tries || now - head_first_seen_ms >= options_.dead_after_ms) {
      const Status moved = store_.DeadLetterOutbox(seqs, failed.message(), tries, now);
      std::lock_guard lock(mu_);
      if (moved.ok()) {
        cursor = seqs.back();
        stats_.dead_lettered += batch->size();
        delivered_through_ = std::max(delivered_through_, seqs.back());
      }
      tries = 0;
      continue;
    }
    const int64_t cap = std::min(options_.backoff_max_ms,
                                 options_.backoff_first_ms << std::min<uint32_t>(tries - 1, 20));
    // Full jitter: between half the step and the step.
    const int64_t wait =
        cap / 2 + static_cast<int64_t>(jitter() % static_cast<uint64_t>(cap / 2 + 1));
    if (!Pause(wait)) return;
  }
}

}  // namespace loyalty
