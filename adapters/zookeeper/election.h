// Election: leader election with fencing epochs over ZooKeeper (the C
// client, libzookeeper_mt), so that at most one node acknowledges writes.
//
// Each member holds a ZooKeeper session and an ephemeral sequential znode
// under {root}/nodes; the oldest znode is the primary. A standby watches only
// the znode just before its own (no herd when the primary goes). A member
// that becomes primary takes epoch = max(ZooKeeper's, its own last known) + 1
// in one multi-op that also checks its own znode still exists, with a version
// check on {root}/epoch: two tenures never share an epoch, epochs only grow.
// Formats in records.h; the guarantees and their limits in README.md.
//
// The lease (why a deposed primary stops in time): the primary may act only
// while IsPrimary() is true, i.e. until the start of its last heartbeat (a
// multi-op checking its own znode, committed through ZooKeeper's leader,
// every 1/6 of the session timeout) that succeeded
// plus lease_percent of the negotiated session timeout. ZooKeeper expires the session no earlier
// than a full session timeout after it last heard from the member, and only then can another member
// take over; so the old primary's lease has run out before a new primary exists. It also steps down
// at once when the client reports the connection lost or the session expired, or its znode is gone.
// A pause between checking IsPrimary() and acting is what epochs are for: a standby refuses batches
// of an epoch older than the newest it has seen.
//
// After an expiry the member joins again with a new session, at the end of
// the queue (a standby). Becoming primary again, even after a short
// disconnect, always takes a new epoch.
//
// Threads: one election thread per Election does every ZooKeeper call; the
// client's own two threads only queue events for it. The C client's
// warnings go to stderr, rate-limited (its INFO lines are dropped). Every public method is
// safe from any thread and waits only on a mutex held for copies, never on
// ZooKeeper, except Join (blocks until registered, at most
// join_timeout_ms) and the destructor (closes the session; up to about
// 2/3 of the session timeout when ZooKeeper does not answer).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adapters/zookeeper/records.h"
#include "engine/status.h"

namespace loyalty::zk {

struct ElectionOptions {
  // "host:port,host:port,..." of the ensemble. Required.
  std::string servers;
  // Parent of nodes/ and epoch; created when missing. One per group.
  std::string root = "/loyalty";
  // Asked of ZooKeeper; the server grants within its [2, 20] x tickTime
  // (defaults 4 s .. 40 s). A dead primary is replaced after about this long.
  int session_timeout_ms = 6000;
  // The primary's lease, in percent of the granted session timeout, counted
  // from the start of its last successful round trip. 10..60; lower steps
  // down sooner on a slow link, higher risks acting after ZooKeeper gave up.
  int lease_percent = 50;
  // Join fails (Unavailable) when not registered within this long.
  int join_timeout_ms = 10000;
  // The highest epoch this node has stored (0 when none): a new epoch is
  // above it even if ZooKeeper's data was lost.
  uint64_t last_epoch = 0;
};

enum class Role : uint8_t {
  kStandby,  // registered; some other member is (or will soon be) primary
  kPrimary,  // holds `epoch`; may acknowledge while IsPrimary() is true
  kAway,     // no usable session (disconnected, expired, rejoining)
};
const char* RoleName(Role role);

// What a member knows; a value (copied out under the lock).
struct Leadership {
  Role role = Role::kAway;
  uint64_t epoch = 0;  // this member's epoch while kPrimary, else 0
  // The holder of the newest epoch this member has read: the primary, or
  // for up to a session timeout after it died, the dead one. For redirects.
  EpochRecord primary;
  // Every member (this one too), oldest first, as read when this member
  // last became primary; empty otherwise. Who may hold batches it lacks.
  std::vector<Member> members;
  std::string reason;  // why the role last changed ("session expired", ...)
  uint64_t changes = 0;
};

class Election {
 public:
  // Called on the election thread after every change of role, epoch or
  // primary, in order, just after WaitUntil callers were woken (so they may
  // see a change before the listener does). Must not block long and must
  // not destroy the Election.
  using Listener = std::function<void(const Leadership&)>;

  // Connects, creates {root}/nodes and {root}/epoch when missing, registers
  // `self`, and returns once it is a standby or primary. Invalid on bad
  // options or member; Unavailable when ZooKeeper does not answer in time.
  static Result<std::unique_ptr<Election>> Join(const ElectionOptions& options, const Member& self,
                                                Listener listener = nullptr);
  ~Election();  // closes the session: its znode goes at once, a standby takes over
  Election(const Election&) = delete;
  Election& operator=(const Election&) = delete;

  // Planned switchover: IsPrimary() is false before this returns; the
  // election thread then steps down, deletes this member's znode and joins
  // again at the end of the queue, so the member behind takes over at once
  // (no session timeout). A standby just moves to the end. Does not wait
  // for the next primary; when ZooKeeper cannot be reached, the member may
  // become primary again (with a new epoch).
  void Resign();

  Leadership Current() const;
  // Primary and within the lease now: the check before acknowledging.
  bool IsPrimary() const;
  std::optional<Member> Primary() const;
  // Waits until `done(Current())` holds or `within` passes; true if it held.
  bool WaitUntil(const std::function<bool(const Leadership&)>& done,
                 std::chrono::milliseconds within) const;

  struct Impl;

 private:
  explicit Election(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace loyalty::zk
