#include "adapters/zookeeper/election.h"

#include <zookeeper/zookeeper.h>

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "adapters/zookeeper/client_log.h"

namespace loyalty::zk {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr int kRoundsMax = 5;  // settling the queue or taking the epoch
constexpr size_t kZnodeBytesMax = 1024;
constexpr milliseconds kRetryAfter{200};  // after a failed check while connected
constexpr milliseconds kReopenAfter{500};
constexpr milliseconds kIdleWake{1000};

// One thing the client's threads tell the election thread.
struct ZkEvent {
  enum class Kind : uint8_t { kWatch, kHeartbeat, kResign };
  Kind kind = Kind::kWatch;
  uint64_t generation = 0;  // which handle it came from; older ones are dropped
  int type = 0;             // kWatch
  int state = 0;
  std::string path;
  int rc = 0;  // kHeartbeat
  Clock::time_point started;
};

// A multi-op's own error: the first op's that failed (the ones after it
// say ZRUNTIMEINCONSISTENCY), else the call's (e.g. a lost connection).
template <size_t N>
int FailedOp(int rc, const zoo_op_result_t (&results)[N]) {
  if (rc == ZOK) return ZOK;
  for (const zoo_op_result_t& r : results) {
    if (r.err != ZOK && r.err != ZRUNTIMEINCONSISTENCY) return r.err;
  }
  return rc;
}

Status ZkStatus(const std::string& what, int rc) {
  return Status::Unavailable(what + ": ZooKeeper said " + zerror(rc));
}

}  // namespace

const char* RoleName(Role role) {
  switch (role) {
    case Role::kStandby: return "standby";
    case Role::kPrimary: return "primary";
    case Role::kAway: return "away";
  }
  return "?";
}

struct Election::Impl {
  struct HandleContext {
    Impl* impl;
    uint64_t generation;
  };
  struct HeartbeatContext {
    HandleContext* handle;
    Clock::time_point started;
    std::string path;
    zoo_op_t op;
    zoo_op_result_t result;  // written by the client when the reply comes
  };

  Impl(const ElectionOptions& o, const Member& m, Listener l)
      : options(o),
        self(m),
        listener(std::move(l)),
        nodes_path(o.root + "/nodes"),
        epoch_path(o.root + "/epoch"),
        session_timeout(o.session_timeout_ms),
        last_epoch(o.last_epoch) {
    state.reason = "connecting to " + o.servers;
  }

  const ElectionOptions options;
  const Member self;
  const Listener listener;
  const std::string nodes_path;
  const std::string epoch_path;

  // Shared with callers and the client's threads; guarded by mu.
  mutable std::mutex mu;
  mutable std::condition_variable cv;
  std::deque<ZkEvent> events;
  bool stopping = false;
  bool resigning = false;  // set by Resign(), until the election thread stepped down
  Leadership state;
  Clock::time_point lease_until;
  std::thread thread;

  // The election thread's own.
  zhandle_t* zh = nullptr;
  std::unique_ptr<HandleContext> handle_context;
  uint64_t generation = 0;
  bool connected = false;
  bool paths_made = false;
  bool needs_check = false;
  bool epoch_stale = false;
  Clock::time_point check_at;
  Clock::time_point reopen_at;
  Clock::time_point heartbeat_at;
  std::string own_prefix;  // "n-{session hex}-"
  std::string own_name;
  std::string predecessor;  // full path of the watched znode
  milliseconds session_timeout;
  uint64_t last_epoch;

  static void OnWatch(zhandle_t*, int type, int state, const char* path, void* context) {
    auto* handle = static_cast<HandleContext*>(context);
    ZkEvent e;
    e.generation = handle->generation;
    e.type = type;
    e.state = state;
    e.path = path != nullptr ? path : "";
    handle->impl->Push(std::move(e));
  }

  static void OnHeartbeat(int rc, const void* data) {
    std::unique_ptr<HeartbeatContext> beat(static_cast<HeartbeatContext*>(const_cast<void*>(data)));
    ZkEvent e;
    e.kind = ZkEvent::Kind::kHeartbeat;
    e.generation = beat->handle->generation;
    e.rc = rc == ZOK ? beat->result.err : rc;
    e.started = beat->started;
    beat->handle->impl->Push(std::move(e));
  }

  void Push(ZkEvent e) {
    {
      std::lock_guard lock(mu);
      events.push_back(std::move(e));
    }
    cv.notify_all();
  }

  milliseconds Lease() const { return session_timeout * options.lease_percent / 100; }
  bool PrimaryNow() const { return state.role == Role::kPrimary; }  // mu held or own thread

  // Changes the published state; tells waiters and the listener.
  void Publish(const std::function<void(Leadership&)>& change) {
    Leadership copy;
    {
      std::lock_guard lock(mu);
      Leadership next = state;
      change(next);
      const bool same = next.role == state.role && next.epoch == state.epoch &&
                        next.primary.epoch == state.primary.epoch &&
                        next.primary.holder == state.primary.holder;
      if (same) {
        state.reason = next.reason;  // kept for Current(), not worth a wake-up
        return;
      }
      next.changes = state.changes + 1;
      state = next;
      copy = state;
    }
    cv.notify_all();
    if (listener) listener(copy);
  }

  void StepDown(Role role, const std::string& reason) {
    Publish([&](Leadership& s) {
      s.role = role;
      s.epoch = 0;
      s.members.clear();
      s.reason = reason;
    });
  }

  void Run() {
    std::deque<ZkEvent> batch;
    while (true) {
      {
        std::unique_lock lock(mu);
        cv.wait_until(lock, NextWake(), [&] { return stopping || !events.empty(); });
        if (stopping) break;
        batch.swap(events);
      }
      for (const ZkEvent& e : batch) Handle(e);
      batch.clear();
      Tick();
    }
    CloseHandle();
  }

  Clock::time_point NextWake() const {
    Clock::time_point wake = Clock::now() + kIdleWake;
    if (zh == nullptr) wake = std::min(wake, reopen_at);
    if (state.role == Role::kPrimary) wake = std::min({wake, lease_until, heartbeat_at});
    if (connected && (needs_check || epoch_stale)) wake = std::min(wake, check_at);
    return wake;
  }

  void Tick() {
    const auto now = Clock::now();
    if (zh == nullptr && now >= reopen_at) OpenHandle();
    if (PrimaryNow() && now >= LeaseUntil()) {
      StepDown(Role::kStandby, "no answer from ZooKeeper within the lease (" +
                                   std::to_string(Lease().count()) + " ms)");
      needs_check = true;  // takes a new epoch once ZooKeeper answers again
      check_at = now;
    }
    if (PrimaryNow() && now >= heartbeat_at) SendHeartbeat(now);
    if (!connected || now < check_at) return;
    if (needs_check) {
      const Status s = Check();
      needs_check = !s.ok();
      if (!s.ok()) {
        check_at = now + kRetryAfter;
        Publish([&](Leadership& l) { l.reason = s.message(); });
      }
    }
    if (epoch_stale && !PrimaryNow()) {
      epoch_stale = !ReadEpoch().ok();
      if (epoch_stale) check_at = now + kRetryAfter;
    }
  }

  Clock::time_point LeaseUntil() const {
    std::lock_guard lock(mu);
    return lease_until;
  }

  void Handle(const ZkEvent& e) {
    const auto now = Clock::now();
    if (e.kind == ZkEvent::Kind::kResign) return HandleResign(now);
    if (e.generation != generation) return;  // from a handle already closed
    if (e.kind == ZkEvent::Kind::kHeartbeat) {
      if (e.rc == ZOK && PrimaryNow()) {
        std::lock_guard lock(mu);
        lease_until = std::max(lease_until, e.started + Lease());
      } else if (e.rc == ZNONODE) {
        StepDown(Role::kAway, "this member's znode is gone");
        own_name.clear();
        needs_check = true;
        check_at = now;
      }
      return;
    }
    if (e.type == ZOO_SESSION_EVENT) return HandleSession(e.state, now);
    if (!predecessor.empty() && e.path == predecessor) {
      needs_check = true;  // it went (or changed): see who is first now
      check_at = now;
    }
    if (e.path == epoch_path) {
      epoch_stale = true;  // read again (and watch again) unless primary
      check_at = std::min(check_at, now);
    }
  }

  // Steps down, then leaves the queue and joins it again at the end: the
  // member behind is told at once (its watch fires), no timeout to wait.
  void HandleResign(Clock::time_point now) {
    if (PrimaryNow()) StepDown(Role::kStandby, "resigned");
    {
      std::lock_guard lock(mu);
      resigning = false;  // role is no longer primary: IsPrimary() stays false
    }
    if (connected && !own_name.empty()) {
      const std::string path = nodes_path + "/" + own_name;
      const int rc = zoo_delete(zh, path.c_str(), -1);
      if (rc == ZOK || rc == ZNONODE) own_name.clear();
    }
    // Not found under the session's prefix any more: registers again, last.
    needs_check = true;
    check_at = now;
  }

  void HandleSession(int zk_state, Clock::time_point now) {
    if (zk_state == ZOO_CONNECTED_STATE) {
      connected = true;
      session_timeout = milliseconds(zoo_recv_timeout(zh));
      char hex[32];
      std::snprintf(hex, sizeof hex, "%llx",
                    static_cast<unsigned long long>(zoo_client_id(zh)->client_id));
      own_prefix = std::string("n-") + hex + "-";
      needs_check = true;
      check_at = now;
      return;
    }
    connected = false;
    if (zk_state == ZOO_EXPIRED_SESSION_STATE || zk_state == ZOO_AUTH_FAILED_STATE) {
      StepDown(Role::kAway, zk_state == ZOO_EXPIRED_SESSION_STATE
                                ? "ZooKeeper session expired; joining again"
                                : "ZooKeeper refused the session (authentication)");
      CloseHandle();
      reopen_at = now + (zk_state == ZOO_EXPIRED_SESSION_STATE ? milliseconds(0) : kReopenAfter);
      return;
    }
    StepDown(Role::kAway, "connection to ZooKeeper lost");  // the client reconnects itself
  }

  void OpenHandle() {
    ++generation;
    handle_context = std::make_unique<HandleContext>(HandleContext{this, generation});
    own_name.clear();
    predecessor.clear();
    paths_made = false;
    zh = zookeeper_init2(options.servers.c_str(), &Impl::OnWatch, options.session_timeout_ms,
                         nullptr, handle_context.get(), 0, &ClientLog);
    if (zh == nullptr) {
      Publish([&](Leadership& l) { l.reason = "zookeeper_init failed: " + options.servers; });
      reopen_at = Clock::now() + kReopenAfter;
    }
  }

  void CloseHandle() {
    if (zh == nullptr) return;
    zookeeper_close(zh);  // runs pending completions (ZCLOSING) before returning
    zh = nullptr;
    connected = false;
    ++generation;  // events still queued from it are dropped
    handle_context.reset();
  }

  // A transaction, not a read: it commits only through the ensemble's
  // leader, with the session still valid there (a read or a ping can be
  // answered by a follower cut off from the leader, which serves on for up
  // to syncLimit x tickTime while the leader expires the session). A check
  // changes nothing, so it wakes no watcher (a set on the znode would wake
  // the standby behind it at every beat).
  void SendHeartbeat(Clock::time_point now) {
    heartbeat_at = now + session_timeout / 6;
    auto beat = std::make_unique<HeartbeatContext>();
    beat->handle = handle_context.get();
    beat->started = now;
    beat->path = nodes_path + "/" + own_name;
    zoo_check_op_init(&beat->op, beat->path.c_str(), -1);
    if (zoo_amulti(zh, 1, &beat->op, &beat->result, &Impl::OnHeartbeat, beat.get()) == ZOK) {
      beat.release();  // OnHeartbeat owns it now
    }
  }

  Status MakePaths() {
    std::vector<std::string> paths;
    for (size_t slash = options.root.find('/', 1); slash != std::string::npos;
         slash = options.root.find('/', slash + 1)) {
      paths.push_back(options.root.substr(0, slash));
    }
    paths.push_back(options.root);
    paths.push_back(nodes_path);
    for (const std::string& path : paths) {
      const int rc = zoo_create(zh, path.c_str(), nullptr, -1, &ZOO_OPEN_ACL_UNSAFE, 0, nullptr, 0);
      if (rc != ZOK && rc != ZNODEEXISTS) return ZkStatus("create " + path, rc);
    }
    const std::string zero = EncodeEpoch({});
    const int rc = zoo_create(zh, epoch_path.c_str(), zero.data(), static_cast<int>(zero.size()),
                              &ZOO_OPEN_ACL_UNSAFE, 0, nullptr, 0);
    if (rc != ZOK && rc != ZNODEEXISTS) return ZkStatus("create " + epoch_path, rc);
    paths_made = true;
    return Status::Ok();
  }

  Status Register() {
    const std::string prefix = nodes_path + "/" + own_prefix;
    const std::string data = EncodeMember(self);
    const int rc = zoo_create(zh, prefix.c_str(), data.data(), static_cast<int>(data.size()),
                              &ZOO_OPEN_ACL_UNSAFE, ZOO_EPHEMERAL_SEQUENTIAL, nullptr, 0);
    // On a connection loss the znode may exist anyway: the next round finds
    // it by the session's prefix, so a member never holds two places.
    return rc == ZOK ? Status::Ok() : ZkStatus("register under " + nodes_path, rc);
  }

  Result<std::vector<std::string>> Members() {
    String_vector children{};
    const int rc = zoo_get_children(zh, nodes_path.c_str(), 0, &children);
    if (rc != ZOK) return ZkStatus("list " + nodes_path, rc);
    std::vector<std::string> names(children.data, children.data + children.count);
    deallocate_String_vector(&children);
    return OrderBySequence(std::move(names));
  }

  // Finds this member's place: primary when first, else watches the one
  // just before it.
  Status Check() {
    if (!paths_made) {
      if (Status s = MakePaths(); !s.ok()) return s;
    }
    for (int round = 0; round < kRoundsMax; ++round) {
      auto members = Members();
      if (!members.ok()) return members.status();
      const auto own = std::find_if(members->begin(), members->end(), [&](const std::string& n) {
        return n.rfind(own_prefix, 0) == 0;
      });
      if (own == members->end()) {
        if (Status s = Register(); !s.ok()) return s;
        continue;
      }
      own_name = *own;
      if (own == members->begin()) {
        predecessor.clear();
        if (PrimaryNow()) return Status::Ok();
        return TakeEpoch(ReadMembers(*members));
      }
      const std::string before = nodes_path + "/" + *(own - 1);
      struct Stat stat {};
      const int rc = zoo_exists(zh, before.c_str(), 1, &stat);
      if (rc == ZNONODE) continue;  // went meanwhile: look again
      if (rc != ZOK) return ZkStatus("watch " + before, rc);
      predecessor = before;
      if (Status s = ReadEpoch(); !s.ok()) return s;  // knows the primary before it says standby
      Publish([&](Leadership& l) {
        l.role = Role::kStandby;
        l.members.clear();
        l.reason = "standby behind " + *(own - 1);
      });
      return Status::Ok();
    }
    return Status::Unavailable("the member list kept changing for " + std::to_string(kRoundsMax) +
                               " rounds");
  }

  // The members' znodes, skipping any that went or cannot be read.
  std::vector<Member> ReadMembers(const std::vector<std::string>& names) {
    std::vector<Member> out;
    for (const std::string& name : names) {
      char buffer[kZnodeBytesMax];
      int length = sizeof buffer;
      struct Stat stat {};
      const std::string path = nodes_path + "/" + name;
      if (zoo_get(zh, path.c_str(), 0, buffer, &length, &stat) != ZOK) continue;
      auto member = DecodeMember(std::string_view(buffer, length < 0 ? 0 : length));
      if (member.ok()) out.push_back(*std::move(member));
    }
    return out;
  }

  // Reads {root}/epoch; with `watch`, is told when it changes.
  Result<std::pair<EpochRecord, int32_t>> GetEpoch(bool watch) {
    char buffer[kZnodeBytesMax];
    int length = sizeof buffer;
    struct Stat stat {};
    const int rc = zoo_get(zh, epoch_path.c_str(), watch ? 1 : 0, buffer, &length, &stat);
    if (rc != ZOK) return ZkStatus("read " + epoch_path, rc);
    auto record = DecodeEpoch(std::string_view(buffer, length < 0 ? 0 : length));
    if (!record.ok()) return record.status();
    last_epoch = std::max(last_epoch, record->epoch);
    return std::make_pair(*std::move(record), stat.version);
  }

  Status ReadEpoch() {
    auto got = GetEpoch(true);
    if (!got.ok()) return got.status();
    epoch_stale = false;
    Publish([&](Leadership& l) { l.primary = got->first; });
    return Status::Ok();
  }

  // One multi-op: this member's znode still exists (so it is still first:
  // sequences only grow) and the epoch is unchanged since read.
  Status TakeEpoch(const std::vector<Member>& members) {
    const auto started = Clock::now();  // ZooKeeper hears the multi after this
    const std::string own_path = nodes_path + "/" + own_name;
    for (int round = 0; round < kRoundsMax; ++round) {
      auto got = GetEpoch(false);
      if (!got.ok()) return got.status();
      const EpochRecord mine{last_epoch + 1, self};
      const std::string data = EncodeEpoch(mine);
      zoo_op_t ops[2];
      zoo_op_result_t results[2] = {};
      struct Stat stat {};
      zoo_check_op_init(&ops[0], own_path.c_str(), -1);
      zoo_set_op_init(&ops[1], epoch_path.c_str(), data.data(), static_cast<int>(data.size()),
                      got->second, &stat);
      const int rc = FailedOp(zoo_multi(zh, 2, ops, results), results);
      if (rc == ZBADVERSION) continue;  // another epoch landed between read and write
      if (rc == ZNONODE) {
        own_name.clear();
        return Status::Unavailable("this member's znode went before it could take an epoch");
      }
      if (rc != ZOK) return ZkStatus("take epoch " + std::to_string(mine.epoch), rc);
      last_epoch = mine.epoch;
      {
        std::lock_guard lock(mu);
        lease_until = started + Lease();
      }
      heartbeat_at = Clock::now() + session_timeout / 6;
      epoch_stale = false;
      Publish([&](Leadership& l) {
        l.role = Role::kPrimary;
        l.epoch = mine.epoch;
        l.primary = mine;
        l.members = members;
        l.reason = "took epoch " + std::to_string(mine.epoch);
      });
      return Status::Ok();
    }
    return Status::Unavailable("the epoch kept changing for " + std::to_string(kRoundsMax) +
                               " rounds");
  }
};

namespace {

Status ValidateOptions(const ElectionOptions& o) {
  if (o.servers.empty()) return Status::Invalid("zookeeper servers: empty (want HOST:PORT,...)");
  if (Status s = ValidateRoot(o.root); !s.ok()) return s;
  if (o.session_timeout_ms < 1000 || o.session_timeout_ms > 600000) {
    return Status::Invalid("zookeeper session_timeout_ms " + std::to_string(o.session_timeout_ms) +
                           ": must be 1000..600000");
  }
  if (o.lease_percent < 10 || o.lease_percent > 60) {
    return Status::Invalid("zookeeper lease_percent " + std::to_string(o.lease_percent) +
                           ": must be 10..60 (past 2/3 the client itself gives up)");
  }
  if (o.join_timeout_ms <= 0) return Status::Invalid("zookeeper join_timeout_ms: must be > 0");
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Election>> Election::Join(const ElectionOptions& options, const Member& self,
                                                 Listener listener) {
  if (Status s = ValidateOptions(options); !s.ok()) return s;
  if (Status s = ValidateMember(self); !s.ok()) return s;
  auto impl = std::make_unique<Impl>(options, self, std::move(listener));
  Impl* raw = impl.get();
  std::unique_ptr<Election> election(new Election(std::move(impl)));
  raw->thread = std::thread([raw] { raw->Run(); });
  const bool joined = election->WaitUntil([](const Leadership& l) { return l.role != Role::kAway; },
                                          milliseconds(options.join_timeout_ms));
  if (!joined) {
    return Status::Unavailable("ZooKeeper at " + options.servers + ": not registered within " +
                               std::to_string(options.join_timeout_ms) +
                               " ms (last: " + election->Current().reason + ")");
  }
  return election;
}

Election::Election(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Election::~Election() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
  if (impl_->thread.joinable()) impl_->thread.join();
}

void Election::Resign() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->resigning = true;  // IsPrimary() is false from here on
  }
  ZkEvent e;
  e.kind = ZkEvent::Kind::kResign;
  impl_->Push(std::move(e));
}

Leadership Election::Current() const {
  std::lock_guard lock(impl_->mu);
  return impl_->state;
}

bool Election::IsPrimary() const {
  std::lock_guard lock(impl_->mu);
  return impl_->state.role == Role::kPrimary && !impl_->resigning &&
         Clock::now() < impl_->lease_until;
}

std::optional<Member> Election::Primary() const {
  std::lock_guard lock(impl_->mu);
  return impl_->state.primary.holder;
}

bool Election::WaitUntil(const std::function<bool(const Leadership&)>& done,
                         std::chrono::milliseconds within) const {
  std::unique_lock lock(impl_->mu);
  return impl_->cv.wait_for(lock, within, [&] { return done(impl_->state); });
}

}  // namespace loyalty::zk
