#include "adapters/replication/feed.h"

#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "loyalty/v1/replication.pb.h"

namespace loyalty::replication {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr size_t kReadBytesMax = 4 << 20;  // batches read from the log at once
constexpr size_t kChunkBytes = 1 << 20;    // of a checkpoint file
constexpr auto kHeartbeat = std::chrono::milliseconds(250);

int64_t WallMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::vector<Tenure> FromProto(const google::protobuf::RepeatedPtrField<v1::Tenure>& in) {
  std::vector<Tenure> out;
  for (const v1::Tenure& t : in) out.push_back({t.epoch(), t.first_seq()});
  return out;
}

}  // namespace

struct Feed::Conn {
  std::unique_ptr<PeerLink> link;
  std::thread thread;
  FollowerInfo info;
  bool following = false;  // counts for WaitAcked
  bool done = false;
  uint64_t generation = 0;
};

Result<std::unique_ptr<Feed>> Feed::Start(FeedOptions options, ViewFn view) {
  uint16_t port = 0;
  auto fd = ListenOn(options.listen, &port);
  if (!fd.ok()) return Status::Invalid("replication_listen: " + fd.status().message());
  std::unique_ptr<Feed> feed(new Feed(std::move(options), std::move(view), *fd, port));
  feed->acceptor_ = std::thread([f = feed.get()] { f->AcceptLoop(); });
  return feed;
}

Feed::Feed(FeedOptions options, ViewFn view, int listen_fd, uint16_t port)
    : options_(std::move(options)), view_(std::move(view)), listen_fd_(listen_fd), port_(port) {}

Feed::~Feed() {
  std::list<std::shared_ptr<Conn>> conns;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    for (auto& c : conns_) c->link->Cancel();
    conns = conns_;
  }
  wake_.notify_all();
  acked_.notify_all();
  ::shutdown(listen_fd_, SHUT_RDWR);  // wakes accept()
  if (acceptor_.joinable()) acceptor_.join();
  ::close(listen_fd_);
  for (auto& c : conns)
    if (c->thread.joinable()) c->thread.join();
}

void Feed::AcceptLoop() {
  while (true) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    {
      std::lock_guard lock(mu_);
      if (stopping_) {
        if (fd >= 0) ::close(fd);
        return;
      }
    }
    if (fd < 0) continue;
    Reap();
    auto conn = std::make_shared<Conn>();
    auto link = PeerLink::Accept(fd, options_.tls, options_.timeout_ms);
    if (!link.ok()) continue;  // the fd is closed with the link
    conn->link = std::move(*link);
    conn->info.peer = conn->link->peer();
    conn->info.connected_ms = WallMs();
    std::lock_guard lock(mu_);
    conn->generation = generation_;
    conns_.push_back(conn);
    conn->thread = std::thread([this, conn] { Serve(conn); });
  }
}

// Joins the threads of connections that ended.
void Feed::Reap() {
  std::list<std::shared_ptr<Conn>> ended;
  {
    std::lock_guard lock(mu_);
    for (auto it = conns_.begin(); it != conns_.end();) {
      if ((*it)->done) {
        ended.push_back(*it);
        it = conns_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& c : ended)
    if (c->thread.joinable()) c->thread.join();
}

void Feed::Serve(std::shared_ptr<Conn> conn) {
  PeerLink& link = *conn->link;
  auto finish = [&] {
    std::lock_guard lock(mu_);
    conn->done = true;
    conn->following = false;
  };
  v1::PeerHello hello;
  // The hello first: a peer slow to speak must not hold this node's copy.
  if (Status s = link.Receive(&hello); !s.ok()) return finish();
  const NodeView view = view_();
  v1::PeerStatus status;
  status.set_node_id(options_.node_id);
  status.set_role(view.primary ? "primary" : "standby");
  status.set_epoch(view.epoch);
  std::vector<Tenure> tenures;
  if (view.db) {
    status.set_latest_seq(view.db->LatestSeq());
    if (auto t = view.db->Tenures(); t.ok()) tenures = *t;
  }
  for (const Tenure& t : tenures) {
    v1::Tenure* p = status.add_tenures();
    p->set_epoch(t.epoch);
    p->set_first_seq(t.first_seq);
  }
  conn->info.node_id = hello.node_id();
  if (!net::SameDigest(net::Sha256(hello.secret()), options_.secret_digest)) {
    status.set_refused("the group's secret is not the one this node has");
  } else if (!view.db) {
    status.set_refused("this node has no copy of the database yet");
  } else if (hello.want() == v1::PeerHello::FOLLOW && view.primary &&
             hello.known_epoch() > view.epoch) {
    status.set_refused("epoch " + std::to_string(hello.known_epoch()) +
                       " exists: this node is no longer the primary");
  } else if (hello.want() == v1::PeerHello::FOLLOW) {
    std::vector<LoggedBatch> probe;
    const bool prefix =
        IsPrefixOf(FromProto(hello.tenures()), hello.after_seq(), tenures, status.latest_seq());
    status.set_need_checkpoint(!prefix || !view.db->ReadSince(hello.after_seq(), 1, &probe).ok());
  }
  if (Status s = link.Send(status); !s.ok() || !status.refused().empty()) return finish();
  if (hello.want() == v1::PeerHello::CHECKPOINT) {
    (void)SendCheckpoint(link, view);
  } else if (hello.want() == v1::PeerHello::FOLLOW && !status.need_checkpoint()) {
    Stream(*conn, view, hello.after_seq());
  }
  finish();
}

void Feed::Stream(Conn& conn, const NodeView& view, uint64_t after_seq) {
  PeerLink& link = *conn.link;
  {
    std::lock_guard lock(mu_);
    conn.info.acked_seq = after_seq;
    conn.following = true;
  }
  // The follower's acknowledgements, on their own thread.
  std::thread acks([&] {
    v1::Ack ack;
    while (link.Receive(&ack).ok()) {
      {
        std::lock_guard lock(mu_);
        conn.info.acked_seq = std::max(conn.info.acked_seq, ack.applied_seq());
      }
      acked_.notify_all();
    }
    link.Cancel();
    std::lock_guard lock(mu_);
    conn.following = false;
    wake_.notify_all();
  });
  uint64_t sent = after_seq;
  std::vector<LoggedBatch> batches;
  LogCursor cursor;
  while (true) {
    {
      std::unique_lock lock(mu_);
      if (stopping_ || !conn.following || conn.generation != generation_) break;
    }
    batches.clear();
    if (!view.db->ReadSince(sent, kReadBytesMax, &batches, &cursor).ok()) break;
    const uint64_t latest = view.db->LatestSeq();
    bool failed = false;
    for (const LoggedBatch& b : batches) {
      v1::Batch m;
      m.set_epoch(view.epoch);
      m.set_seq(b.seq);
      m.set_count(b.count);
      m.set_data(b.data);
      m.set_primary_seq(latest);
      m.set_sent_ms(WallMs());
      if (!link.Send(m).ok()) {
        failed = true;
        break;
      }
      sent = b.last_seq();
    }
    if (failed) break;
    if (!batches.empty()) continue;
    if (latest > sent) {
      // Written, not yet readable in the log (a record not whole yet): a
      // moment, not a spin.
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      continue;
    }
    std::unique_lock lock(mu_);
    const uint64_t generation = generation_;
    if (wake_.wait_for(lock, kHeartbeat, [&] {
          return stopping_ || !conn.following || generation != generation_ ||
                 view.db->LatestSeq() > sent;
        })) {
      continue;
    }
    lock.unlock();
    v1::Batch beat;  // seq 0: nothing new, still here
    beat.set_epoch(view.epoch);
    beat.set_primary_seq(view.db->LatestSeq());
    beat.set_sent_ms(WallMs());
    if (!link.Send(beat).ok()) break;
  }
  link.Cancel();
  acks.join();
}

Status Feed::SendCheckpoint(PeerLink& link, const NodeView& view) {
  const fs::path dir = fs::path(options_.scratch_dir) /
                       (".checkpoint-" + options_.node_id + "-" + std::to_string(WallMs()));
  if (Status s = view.db->Checkpoint(dir.string()); !s.ok()) return s;
  Status result = Status::Ok();
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::string chunk(kChunkBytes, '\0');
    bool first = true;
    while (result.ok()) {
      in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
      const auto got = static_cast<size_t>(in.gcount());
      if (got == 0 && !first) break;
      v1::CheckpointChunk m;
      m.set_file(entry.path().filename().string());
      m.set_data(chunk.data(), got);
      result = link.Send(m);
      first = false;
      if (got < chunk.size()) break;
    }
  }
  if (result.ok()) {
    v1::CheckpointChunk done;
    done.set_done(true);
    result = link.Send(done);
  }
  fs::remove_all(dir, ec);
  return result;
}

void Feed::Wake() {
  // Through the lock: a sender between its look at the log and its wait
  // cannot miss this.
  { std::lock_guard lock(mu_); }
  wake_.notify_all();
}

bool Feed::WaitAcked(uint64_t seq, Clock::time_point deadline) {
  std::unique_lock lock(mu_);
  return acked_.wait_until(lock, deadline, [&] {
    if (stopping_) return true;
    for (const auto& c : conns_)
      if (c->following && c->info.acked_seq >= seq) return true;
    return false;
  }) && !stopping_;
}

std::vector<FollowerInfo> Feed::Followers() const {
  std::lock_guard lock(mu_);
  std::vector<FollowerInfo> out;
  for (const auto& c : conns_)
    if (c->following) out.push_back(c->info);
  return out;
}

void Feed::DropFollowers() {
  {
    std::lock_guard lock(mu_);
    ++generation_;
    for (auto& c : conns_)
      if (c->following) c->link->Cancel();
  }
  wake_.notify_all();
  acked_.notify_all();
}

}  // namespace loyalty::replication
