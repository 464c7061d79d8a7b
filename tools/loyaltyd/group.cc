#include "tools/loyaltyd/group.h"

#include <filesystem>
#include <fstream>
#include <thread>

namespace loyalty {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kRetryAfter{100};
constexpr uint64_t kWalKeepSeconds = 3600;
constexpr size_t kSecretBytesMin = 32;

Result<std::string> ReadSecret(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::Invalid("replication_secret_file " + path + ": cannot be read");
  std::string secret;
  std::getline(in, secret);
  while (!secret.empty() && (secret.back() == '\r' || secret.back() == ' ')) secret.pop_back();
  if (secret.size() < kSecretBytesMin) {
    return Status::Invalid("replication_secret_file " + path + ": the secret must be " +
                           std::to_string(kSecretBytesMin) +
                           " characters or more (e.g. openssl rand -hex 32)");
  }
  return secret;
}

std::string Or(const std::string& a, const std::string& b) { return a.empty() ? b : a; }

}  // namespace

Group::Group(const config_file::Config& c, std::string secret, LogFn info, LogFn warn)
    : node_id_(c.node_id),
      data_dir_(c.data_dir),
      sync_(c.replication == "sync"),
      ack_timeout_(c.replication_ack_timeout_ms),
      peer_{c.node_id, std::move(secret),
            c.replication_tls == "on"
                ? replication::LinkTls{c.tls_cert, c.tls_key, c.replication_ca}
                : replication::LinkTls{},
            5000},
      info_(std::move(info)),
      warn_(std::move(warn)) {}

Result<std::unique_ptr<Group>> Group::Join(const config_file::Config& c, LogFn info, LogFn warn) {
  auto secret = ReadSecret(c.replication_secret_file);
  if (!secret.ok()) return secret.status();
  std::unique_ptr<Group> group(new Group(c, *secret, std::move(info), std::move(warn)));
  if (Status s = group->OpenCopy(); !s.ok()) return s;
  uint64_t last_epoch = 0;
  if (group->db_) {
    auto tenures = group->db_->Tenures();
    if (!tenures.ok()) return tenures.status();
    if (!tenures->empty()) last_epoch = tenures->back().epoch;
  }
  replication::FeedOptions feed;
  feed.listen = c.replication_listen;
  feed.node_id = c.node_id;
  feed.secret_digest = net::Sha256(*secret);
  feed.tls = group->peer_.tls;
  feed.scratch_dir = c.data_dir;
  auto started = replication::Feed::Start(feed, [g = group.get()] { return g->View(); });
  if (!started.ok()) return started.status();
  group->feed_ = std::move(*started);
  zk::ElectionOptions eo;
  eo.servers = c.zookeeper;
  eo.root = c.zookeeper_root;
  eo.session_timeout_ms = static_cast<int>(c.zookeeper_session_ms);
  eo.last_epoch = last_epoch;
  const std::string replication_address = Or(c.replication_advertise, c.replication_listen);
  zk::Member self{c.node_id, Or(c.advertise, c.listen), replication_address};
  // The advertised ports are the ones given: port 0 is for one node only.
  auto election = zk::Election::Join(
      eo, self, [g = group.get()](const zk::Leadership& l) { g->OnLeadership(l); });
  if (!election.ok()) return election.status();
  group->election_ = std::move(*election);
  group->info_("group: joined as " + c.node_id + " (" +
               zk::RoleName(group->election_->Current().role) + "), replication " + c.replication +
               " on " + replication_address);
  return group;
}

Group::~Group() {
  Stop();
  if (acker_.joinable()) acker_.join();
  election_.reset();  // first: no more OnLeadership
  feed_.reset();
}

void Group::Stop() {
  std::lock_guard lock(mu_);
  stopping_ = true;
  if (follower_ != nullptr) follower_->Cancel();
  changed_.notify_all();
}

void Group::OnDeposed(std::function<void(const std::string&)> deposed) {
  std::lock_guard lock(mu_);
  deposed_ = std::move(deposed);
}

void Group::WatchCopy(std::function<void(bool)> watch) {
  bool open = false;
  {
    std::lock_guard lock(mu_);
    watch_copy_ = watch;
    open = db_ && !serving_;
  }
  if (open && watch) watch(true);
}

void Group::OnLeadership(const zk::Leadership& l) {
  std::function<void(const std::string&)> deposed;
  {
    std::lock_guard lock(mu_);
    if (follower_ != nullptr) follower_->Cancel();  // follow whoever is primary now
    if (serving_ && l.role != zk::Role::kPrimary) deposed = deposed_;
    changed_.notify_all();
  }
  if (l.role == zk::Role::kPrimary) failovers_.fetch_add(1);
  if (deposed) deposed(l.reason);
}

replication::NodeView Group::View() const {
  std::lock_guard lock(mu_);
  replication::NodeView v;
  v.db = db_;
  v.primary = serving_;
  v.epoch = epoch_;
  if (!serving_ && db_) {
    if (auto t = db_->Tenures(); t.ok() && !t->empty()) v.epoch = t->back().epoch;
  }
  return v;
}

Status Group::OpenCopy() {
  if (!fs::exists(fs::path(data_dir_) / "CURRENT")) return Status::Ok();  // none yet
  auto db = ReplicaDb::Open(data_dir_, kWalKeepSeconds);
  if (!db.ok()) return db.status();
  copies_open_.fetch_add(1);
  // Counted closed once its destructor has run (and RocksDB let go of the
  // directory's lock), not when the last owner let go: a feed connection
  // may be the one that closes it.
  std::shared_ptr<ReplicaDb> copy(db->release(), [this](ReplicaDb* p) {
    delete p;
    copies_open_.fetch_sub(1);
  });
  std::function<void(bool)> watch;
  {
    std::lock_guard lock(mu_);
    db_ = std::move(copy);
    watch = watch_copy_;
  }
  if (watch) watch(true);
  return Status::Ok();
}

// Closes the copy: the feed's connections that hold it are cut, and this
// waits until the last one has closed it.
Status Group::CloseCopy() {
  std::function<void(bool)> watch;
  {
    std::lock_guard lock(mu_);
    watch = watch_copy_;
  }
  if (watch) watch(false);
  {
    std::lock_guard lock(mu_);
    db_.reset();
  }
  feed_->DropFollowers();
  const auto deadline = Clock::now() + milliseconds(10'000);
  while (copies_open_.load() > 0) {
    if (Clock::now() > deadline) return Status::Unavailable("the copy is still in use");
    std::this_thread::sleep_for(milliseconds(5));
  }
  return Status::Ok();
}

// A copy no primary of a group ever wrote (no tenure) that holds batches:
// a single node's store, joining a group.
bool Group::IsPreGroupStore() const {
  if (!db_ || db_->LatestSeq() == 0) return false;
  auto tenures = db_->Tenures();
  return tenures.ok() && tenures->empty();
}

Status Group::CopyCheckpoint(const std::string& address) {
  if (Status s = CloseCopy(); !s.ok()) return s;
  const std::string incoming = (fs::path(data_dir_) / ".incoming").string();
  info_("group: copying a checkpoint from " + address);
  const auto started = Clock::now();
  if (Status s = replication::FetchCheckpoint(address, peer_, incoming); !s.ok()) return s;
  if (Status s = InstallCheckpoint(incoming, data_dir_); !s.ok()) return s;
  if (Status s = OpenCopy(); !s.ok()) return s;
  info_("group: checkpoint copied in " +
        std::to_string(std::chrono::duration_cast<milliseconds>(Clock::now() - started).count()) +
        " ms, at batch " + std::to_string(db_->LatestSeq()));
  return Status::Ok();
}

// The newest batches may be on one standby only (sync waits for one): the
// new primary takes them from the peer that got furthest, before it writes.
Status Group::CatchUpWithPeers(const zk::Leadership& won) {
  std::vector<Tenure> ours;
  uint64_t our_seq = 0;
  if (db_) {
    auto t = db_->Tenures();
    if (!t.ok()) return t.status();
    ours = *t;
    our_seq = db_->LatestSeq();
  }
  std::string best_address;
  uint64_t best_seq = our_seq;
  for (const zk::Member& m : won.members) {
    if (m.node_id == node_id_ || m.replication.empty()) continue;
    auto status = replication::AskStatus(m.replication, peer_);
    if (!status.ok()) {
      warn_("group: peer " + m.node_id +
            " did not say how far it got: " + status.status().message());
      continue;
    }
    std::vector<Tenure> theirs;
    for (const auto& t : status->tenures()) theirs.push_back({t.epoch(), t.first_seq()});
    if (status->latest_seq() > best_seq &&
        (!db_ || IsPrefixOf(ours, our_seq, theirs, status->latest_seq()))) {
      best_seq = status->latest_seq();
      best_address = m.replication;
    }
  }
  if (best_address.empty()) return Status::Ok();
  info_("group: a peer holds batches up to " + std::to_string(best_seq) + ", this node up to " +
        std::to_string(our_seq) + ": copying them first");
  if (!db_) return CopyCheckpoint(best_address);
  replication::Follower follower(peer_);
  Status s = follower.Run(best_address, *db_, 0, best_seq);
  if (s.code() == StatusCode::kNotFound) return CopyCheckpoint(best_address);
  return s;
}

Status Group::WaitUntilPrimary() {
  Status last_problem = Status::Ok();
  while (true) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return Status::Unavailable("stopping");
    }
    const zk::Leadership l = election_->Current();
    if (l.role == zk::Role::kPrimary && l.epoch > 0) {
      if (Status s = CatchUpWithPeers(l); !s.ok()) {
        warn_("group: catching up with the peers failed (" + s.message() +
              "); going on with what this node has");
      }
      {
        std::lock_guard lock(mu_);
        epoch_ = l.epoch;
      }
      if (db_) {
        if (Status s = db_->BeginTenure(l.epoch); !s.ok()) return s;
        if (Status s = CloseCopy(); !s.ok()) return s;
      }
      info_("group: primary now, epoch " + std::to_string(l.epoch));
      return Status::Ok();
    }
    Status problem = Status::Ok();
    const auto& holder = l.primary.holder;
    if (l.role == zk::Role::kStandby && holder && holder->node_id != node_id_ &&
        !holder->replication.empty()) {
      if (!db_) {
        problem = CopyCheckpoint(holder->replication);
      } else {
        uint64_t known = l.primary.epoch;
        if (auto t = db_->Tenures(); t.ok() && !t->empty())
          known = std::max(known, t->back().epoch);
        replication::Follower follower(peer_);
        {
          std::lock_guard lock(mu_);
          if (stopping_) continue;
          follower_ = &follower;
        }
        problem = follower.Run(holder->replication, *db_, known);
        {
          std::lock_guard lock(mu_);
          follower_ = nullptr;
        }
        if (problem.code() == StatusCode::kNotFound && IsPreGroupStore()) {
          // A store from before the group (never written by a primary of
          // one) is never replaced by a copy: it may be the chain's data.
          problem = Status::Invalid(
              "this node holds a store from before the group (" + std::to_string(db_->LatestSeq()) +
              " batches) that the primary does not have; it is not replaced. Stop the group, "
              "start this node alone first (it becomes the primary and the others copy it), "
              "or move its data directory away (docs/OPERATIONS.md)");
        } else if (problem.code() == StatusCode::kNotFound) {
          warn_("group: " + problem.message());
          problem = CopyCheckpoint(holder->replication);
        }
      }
    }
    if (!problem.ok() && problem.message() != last_problem.message()) {
      warn_("group: following the primary: " + problem.message());
    }
    last_problem = problem;
    std::unique_lock lock(mu_);
    changed_.wait_for(lock, kRetryAfter, [&] { return stopping_; });
  }
}

Status Group::ServeAsPrimary(Store& store, bool fresh) {
  std::shared_ptr<ReplicaDb> log = ReplicaDb::Of(store);
  if (fresh) {
    // A new group's first primary: its tenure covers the store from batch 1.
    if (Status s = log->BeginTenure(epoch_, 1); !s.ok()) return s;
  }
  {
    std::lock_guard lock(mu_);
    db_ = log;
    serving_ = true;
  }
  if (!election_->IsPrimary()) return Status::Unavailable("the lease ran out while starting");
  return Status::Ok();
}

Status Group::HandOver(milliseconds within) {
  std::shared_ptr<ReplicaDb> log;
  {
    std::lock_guard lock(mu_);
    if (!serving_) return Status::Invalid("this node is not the primary");
    log = db_;
  }
  handing_over_ = true;  // every commit from now on fails: nothing more is acknowledged
  const uint64_t seq = log->LatestSeq();
  feed_->Wake();
  if (!feed_->WaitAcked(seq, Clock::now() + within)) {
    handing_over_ = false;
    return Status::Unavailable("no standby has every batch after " +
                               std::to_string(within.count()) + " ms; still the primary");
  }
  info_("group: handing over at batch " + std::to_string(seq));
  election_->Resign();
  return Status::Ok();
}

void Group::Announce() { feed_->Wake(); }

Status Group::Acknowledge() {
  std::shared_ptr<ReplicaDb> log;
  {
    std::lock_guard lock(mu_);
    log = db_;
  }
  return AcknowledgeUpTo(log->LatestSeq());
}

void Group::AcknowledgeLater(std::function<void(Status)> done) {
  {
    std::lock_guard lock(mu_);
    if (serving_ && !stopping_) {
      if (!acker_.joinable()) acker_ = std::thread([this] { AckLoop(); });
      acks_.emplace_back(db_->LatestSeq(), std::move(done));
      changed_.notify_all();
      return;
    }
  }
  done(Status::Ok());
}

void Group::AckLoop() {
  std::unique_lock lock(mu_);
  while (true) {
    changed_.wait(lock, [&] { return stopping_ || !acks_.empty(); });
    if (acks_.empty()) return;  // stopping, and nothing waits
    auto [seq, done] = std::move(acks_.front());
    acks_.pop_front();
    const bool stopping = stopping_;
    lock.unlock();
    done(stopping ? Status::Unavailable("the node is stopping") : AcknowledgeUpTo(seq));
    lock.lock();
  }
}

Status Group::AcknowledgeUpTo(uint64_t seq) {
  if (handing_over_) {
    return Status::Unavailable("this node is handing over to a standby; retry in a moment");
  }
  if (!election_->IsPrimary()) return Status::Unavailable("this node is no longer the primary");
  feed_->Wake();
  // A sync commit waits this long for a standby, then fails (the register
  // retries; the batch is on this disk and goes to the standbys when back).
  if (sync_ && !feed_->WaitAcked(seq, Clock::now() + ack_timeout_)) {
    return Status::Unavailable("no standby has the batch on disk within " +
                               std::to_string(ack_timeout_.count()) +
                               " ms (replication sync); it is not acknowledged");
  }
  if (!election_->IsPrimary()) return Status::Unavailable("this node is no longer the primary");
  return Status::Ok();
}

std::string Group::PrimaryAddress() const {
  const zk::Leadership l = election_->Current();
  if (!l.primary.holder) return "";
  if (l.primary.holder->node_id == node_id_ && !election_->IsPrimary()) return "";
  return l.primary.holder->address;
}

Group::Figures Group::figures() const {
  const zk::Leadership l = election_->Current();
  const replication::NodeView v = View();
  Figures f;
  f.role = zk::RoleName(l.role);
  f.epoch = std::max(l.primary.epoch, v.epoch);
  f.failovers = failovers_.load();
  f.applied_seq = v.db ? v.db->LatestSeq() : 0;
  if (v.primary) {
    const auto followers = feed_->Followers();
    f.standbys = followers.size();
    for (const auto& s : followers) f.acked_seq = std::max(f.acked_seq, s.acked_seq);
    f.lag_batches = f.applied_seq > f.acked_seq ? f.applied_seq - f.acked_seq : 0;
  } else {
    std::lock_guard lock(mu_);
    if (follower_ != nullptr) {
      const replication::FollowStats s = follower_->stats();
      f.lag_batches = s.primary_seq > s.applied_seq ? s.primary_seq - s.applied_seq : 0;
      f.primary_seq = s.primary_seq;
    }
  }
  return f;
}

nlohmann::json Group::Describe() const {
  const zk::Leadership l = election_->Current();
  const replication::NodeView v = View();
  nlohmann::json j = {
      {"node_id", node_id_},  {"role", zk::RoleName(l.role)},   {"epoch", l.primary.epoch},
      {"serving", v.primary}, {"failovers", failovers_.load()}, {"why", l.reason}};
  if (l.primary.holder) {
    j["primary"] = {{"node_id", l.primary.holder->node_id}, {"address", l.primary.holder->address}};
  }
  nlohmann::json r = {{"mode", sync_ ? "sync" : "async"}};
  const uint64_t latest = v.db ? v.db->LatestSeq() : 0;
  r["latest_seq"] = latest;
  if (v.primary) {
    nlohmann::json standbys = nlohmann::json::array();
    for (const auto& f : feed_->Followers()) {
      standbys.push_back({{"node_id", f.node_id},
                          {"acked_seq", f.acked_seq},
                          {"lag_batches", latest > f.acked_seq ? latest - f.acked_seq : 0}});
    }
    r["standbys"] = standbys;
  } else {
    const Figures f = figures();
    r["lag_batches"] = f.lag_batches;
  }
  j["replication"] = r;
  return j;
}

}  // namespace loyalty
