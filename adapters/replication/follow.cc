#include "adapters/replication/follow.h"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

namespace loyalty::replication {
namespace {

namespace fs = std::filesystem;

constexpr size_t kGroupBytesMax = 8 << 20;  // applied with one fsync

int64_t WallMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

Result<std::unique_ptr<PeerLink>> Hello(const std::string& address, const PeerOptions& options,
                                        v1::PeerHello hello, v1::PeerStatus* status) {
  auto link = PeerLink::Connect(address, options.tls, options.timeout_ms);
  if (!link.ok()) return link.status();
  hello.set_node_id(options.node_id);
  hello.set_secret(options.secret);
  if (Status s = (*link)->Send(hello); !s.ok()) return s;
  if (Status s = (*link)->Receive(status); !s.ok()) return s;
  if (!status->refused().empty()) {
    return Status::Unavailable("peer " + status->node_id() + " at " + address +
                               " refused: " + status->refused());
  }
  return link;
}

}  // namespace

Result<v1::PeerStatus> AskStatus(const std::string& address, const PeerOptions& options) {
  v1::PeerHello hello;
  hello.set_want(v1::PeerHello::STATUS);
  v1::PeerStatus status;
  auto link = Hello(address, options, hello, &status);
  if (!link.ok()) return link.status();
  return status;
}

Status FetchCheckpoint(const std::string& address, const PeerOptions& options,
                       const std::string& incoming_dir) {
  std::error_code ec;
  fs::remove_all(incoming_dir, ec);
  fs::create_directories(incoming_dir, ec);
  if (ec) return Status::IoError("make " + incoming_dir + ": " + ec.message());
  v1::PeerHello hello;
  hello.set_want(v1::PeerHello::CHECKPOINT);
  v1::PeerStatus status;
  auto link = Hello(address, options, hello, &status);
  if (!link.ok()) return link.status();
  // Making the checkpoint flushes the peer's memtables: give it time.
  (*link)->SetTimeout(std::max<int64_t>(options.timeout_ms, 60'000));
  std::string open_name;
  std::ofstream out;
  while (true) {
    v1::CheckpointChunk chunk;
    if (Status s = (*link)->Receive(&chunk); !s.ok()) return s;
    if (chunk.done()) break;
    if (chunk.file().empty() || chunk.file().find('/') != std::string::npos ||
        chunk.file() == "." || chunk.file() == "..") {
      return Status::Corruption("peer sent a checkpoint file named '" + chunk.file() + "'");
    }
    if (chunk.file() != open_name) {
      out.close();
      out.open(fs::path(incoming_dir) / chunk.file(), std::ios::binary | std::ios::trunc);
      open_name = chunk.file();
    }
    out.write(chunk.data().data(), static_cast<std::streamsize>(chunk.data().size()));
    if (!out) return Status::IoError("write " + chunk.file() + " in " + incoming_dir);
  }
  out.close();
  // On disk before the copy is installed.
  for (const auto& entry : fs::directory_iterator(incoming_dir, ec)) {
    std::FILE* f = std::fopen(entry.path().c_str(), "rb");
    if (f != nullptr) {
      (void)::fsync(fileno(f));
      std::fclose(f);
    }
  }
  return Status::Ok();
}

Status Follower::Run(const std::string& address, ReplicaDb& db, uint64_t known_epoch,
                     uint64_t until_seq) {
  v1::PeerHello hello;
  hello.set_want(v1::PeerHello::FOLLOW);
  hello.set_after_seq(db.LatestSeq());
  hello.set_known_epoch(known_epoch);
  auto tenures = db.Tenures();
  if (!tenures.ok()) return tenures.status();
  for (const Tenure& t : *tenures) {
    v1::Tenure* p = hello.add_tenures();
    p->set_epoch(t.epoch);
    p->set_first_seq(t.first_seq);
  }
  v1::PeerStatus status;
  auto connected = Hello(address, options_, hello, &status);
  if (!connected.ok()) return connected.status();
  std::unique_ptr<PeerLink> link = std::move(*connected);
  if (status.need_checkpoint()) {
    return Status::NotFound("peer " + status.node_id() +
                            " cannot continue this copy (its history differs, or its log no "
                            "longer goes back to batch " +
                            std::to_string(db.LatestSeq() + 1) + "): copy a checkpoint");
  }
  if (status.epoch() < known_epoch) {
    return Status::Unavailable("peer " + status.node_id() + " writes in epoch " +
                               std::to_string(status.epoch()) + ", older than " +
                               std::to_string(known_epoch));
  }
  {
    std::lock_guard lock(mu_);
    if (cancelled_) return Status::Unavailable("cancelled");
    link_ = link.get();
    stats_.connected = true;
    stats_.applied_seq = db.LatestSeq();
    stats_.primary_seq = status.latest_seq();
    stats_.epoch = status.epoch();
  }
  Status result = Status::Ok();
  std::vector<LoggedBatch> group;
  while (result.ok() && db.LatestSeq() < until_seq) {
    group.clear();
    size_t bytes = 0;
    v1::Batch m;
    do {
      if (result = link->Receive(&m); !result.ok()) break;
      if (m.epoch() < known_epoch) {
        result = Status::Unavailable("peer " + status.node_id() + " sent epoch " +
                                     std::to_string(m.epoch()) + ", older than " +
                                     std::to_string(known_epoch));
        break;
      }
      {
        std::lock_guard lock(mu_);
        stats_.primary_seq = m.primary_seq();
        stats_.epoch = m.epoch();
      }
      if (m.seq() == 0) continue;  // a heartbeat
      bytes += m.data().size();
      group.push_back({m.seq(), m.count(), std::move(*m.mutable_data())});
    } while (bytes < kGroupBytesMax && link->Readable());
    if (!result.ok()) break;
    if (group.empty()) {
      // Heartbeats only: answered all the same, so the sender hears from
      // this side within its timeout.
      v1::Ack ack;
      ack.set_applied_seq(db.LatestSeq());
      result = link->Send(ack);
      continue;
    }
    if (Status s = db.Apply(group); !s.ok()) {
      result = s;
      break;
    }
    v1::Ack ack;
    ack.set_applied_seq(db.LatestSeq());
    if (!result.ok()) break;
    result = link->Send(ack);
    std::lock_guard lock(mu_);
    stats_.applied_seq = db.LatestSeq();
    stats_.last_batch_lag_ms = std::max<int64_t>(0, WallMs() - m.sent_ms());
  }
  std::lock_guard lock(mu_);
  link_ = nullptr;
  stats_.connected = false;
  return result;
}

void Follower::Cancel() {
  std::lock_guard lock(mu_);
  cancelled_ = true;
  if (link_ != nullptr) link_->Cancel();
}

FollowStats Follower::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

}  // namespace loyalty::replication
