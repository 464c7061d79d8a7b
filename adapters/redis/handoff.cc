#include "adapters/redis/handoff.h"

#include <algorithm>
#include <optional>

namespace loyalty::redis {

Handoff::Handoff(std::size_t backlog_max, std::size_t dirty_max, bool resync_owed)
    : backlog_max_(backlog_max), dirty_max_(dirty_max), resync_owed_(resync_owed) {}

void Handoff::Offer(const CustomerState& state, TimeMs now_ms) {
  // Copy outside the lock; a racy peek only decides whether copying is worth it.
  std::optional<Commit> commit;
  bool peek_up;
  {
    std::lock_guard lock(mu_);
    peek_up = up_ && backlog_.size() < backlog_max_;
  }
  if (peek_up) commit.emplace(Commit{state, now_ms, std::chrono::steady_clock::now()});
  bool queued = false;
  {
    std::lock_guard lock(mu_);
    if (commit && up_ && backlog_.size() < backlog_max_) {
      backlog_.push_back(std::move(*commit));
      queued = true;
    } else {
      MarkDirtyLocked(state.customer_id);
    }
  }
  if (queued) wake_.notify_one();
}

void Handoff::MarkDirtyLocked(const std::string& customer_id) {
  if (resync_owed_) return;  // the resync will cover this customer
  if (dirty_.insert(customer_id).second) ++dirty_marked_;
  if (dirty_.size() > dirty_max_) {
    dirty_.clear();
    resync_owed_ = true;
    ++dirty_overflows_;
  }
}

void Handoff::SetUp(bool up) {
  std::deque<Commit> moved;
  {
    std::lock_guard lock(mu_);
    up_ = up;
    if (!up) moved.swap(backlog_);
  }
  // Re-mark in small chunks so a shard never waits long for the lock.
  constexpr std::size_t kChunk = 256;
  while (!moved.empty()) {
    std::lock_guard lock(mu_);
    for (std::size_t i = 0; i < kChunk && !moved.empty(); ++i) {
      MarkDirtyLocked(moved.front().state.customer_id);
      moved.pop_front();
    }
  }
}

void Handoff::MarkDirty(const std::vector<std::string>& customer_ids) {
  std::lock_guard lock(mu_);
  for (const std::string& id : customer_ids) MarkDirtyLocked(id);
}

void Handoff::OweResync() {
  std::lock_guard lock(mu_);
  resync_owed_ = true;
  dirty_.clear();
}

std::vector<Commit> Handoff::TakeCommits(std::size_t max, int64_t wait_ms) {
  std::unique_lock lock(mu_);
  wake_.wait_for(lock, std::chrono::milliseconds(wait_ms), [this] {
    return stopping_ || !backlog_.empty() || !dirty_.empty() || resync_owed_;
  });
  std::vector<Commit> out;
  const std::size_t n = std::min(max, backlog_.size());
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(std::move(backlog_.front()));
    backlog_.pop_front();
  }
  in_flight_ += n;
  return out;
}

std::vector<std::string> Handoff::TakeDirty(std::size_t max) {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (auto it = dirty_.begin(); it != dirty_.end() && out.size() < max;) {
    out.push_back(*it);
    it = dirty_.erase(it);
  }
  in_flight_ += out.size();
  return out;
}

bool Handoff::TakeResync() {
  std::lock_guard lock(mu_);
  if (!resync_owed_) return false;
  resync_owed_ = false;
  in_flight_ += 1;
  return true;
}

void Handoff::Done() {
  std::lock_guard lock(mu_);
  in_flight_ = 0;
}

void Handoff::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
}

bool Handoff::stopping() const {
  std::lock_guard lock(mu_);
  return stopping_;
}

void Handoff::WaitForStop(int64_t ms) {
  std::unique_lock lock(mu_);
  wake_.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stopping_; });
}

HandoffStats Handoff::Stats() const {
  std::lock_guard lock(mu_);
  return {backlog_.size(), dirty_.size(), dirty_marked_, dirty_overflows_, resync_owed_};
}

bool Handoff::Idle() const {
  std::lock_guard lock(mu_);
  return up_ && backlog_.empty() && dirty_.empty() && !resync_owed_ && in_flight_ == 0;
}

}  // namespace loyalty::redis
