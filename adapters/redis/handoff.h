// Handoff: where shard threads leave changed customers for the publisher
// thread. Two bounded structures under one mutex:
//
//   backlog  the committed states, in commit order, while Redis is up
//            (at most backlog_max);
//   dirty    the ids of customers whose snapshot Redis may lack: everything
//            committed while Redis is down, or while the backlog is full,
//            and everything whose write failed (at most dirty_max). When the
//            bound is hit the set is dropped and a full resync is owed
//            instead; until it runs, nothing more needs remembering.
//
// Offer never waits on Redis: the lock is held for a deque push or a hash
// insert, never across I/O. Every Take* leaves the taken work "in flight"
// until Done(), so Idle() is true only when everything offered is written.
//
// Thread safety: Offer from any thread; the rest from the publisher thread
// (Stats and Idle from any thread).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

#include "engine/customer_state.h"

namespace loyalty::redis {

struct Commit {
  CustomerState state;
  TimeMs now_ms = 0;
  std::chrono::steady_clock::time_point offered_at;  // for the publish lag
};

struct HandoffStats {
  uint64_t backlog = 0;
  uint64_t dirty = 0;
  uint64_t dirty_marked = 0;     // customers ever marked dirty
  uint64_t dirty_overflows = 0;  // times the bound turned the set into a resync
  bool resync_owed = false;
};

class Handoff {
 public:
  Handoff(std::size_t backlog_max, std::size_t dirty_max, bool resync_owed);

  // Shard threads: queue the state if Redis is up and the backlog has room,
  // else mark the customer dirty.
  void Offer(const CustomerState& state, TimeMs now_ms);

  // Up: commits queue. Down: they mark dirty, and the queued ones move to
  // the dirty set.
  void SetUp(bool up);
  void MarkDirty(const std::vector<std::string>& customer_ids);
  void OweResync();

  // Waits up to `wait_ms` for work (or Stop), then takes at most `max`.
  std::vector<Commit> TakeCommits(std::size_t max, int64_t wait_ms);
  std::vector<std::string> TakeDirty(std::size_t max);
  bool TakeResync();  // true (and cleared) when a full resync is owed
  void Done();        // the work taken last is finished (written or re-marked)

  void Stop();
  bool stopping() const;
  void WaitForStop(int64_t ms);  // sleeps up to `ms`, waking early on Stop
  HandoffStats Stats() const;
  bool Idle() const;

 private:
  void MarkDirtyLocked(const std::string& customer_id);

  const std::size_t backlog_max_;
  const std::size_t dirty_max_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Commit> backlog_;
  std::unordered_set<std::string> dirty_;
  bool up_ = false;
  bool resync_owed_;
  bool stopping_ = false;
  std::size_t in_flight_ = 0;
  uint64_t dirty_marked_ = 0;
  uint64_t dirty_overflows_ = 0;
};

}  // namespace loyalty::redis
