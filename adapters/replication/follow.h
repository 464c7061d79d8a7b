// The asking side of replication: how far a peer got (AskStatus), a copy of
// its database (FetchCheckpoint), and Follower, which applies a peer's
// batches to this node's copy as they come and acknowledges each group once
// it is on disk (feed.h is the other side).
//
// Thread safety: AskStatus and FetchCheckpoint from any thread; a Follower
// runs on its caller's thread, Cancel() and stats() from any.
#pragma once

#include <atomic>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <string>

#include "adapters/replication/peer_link.h"
#include "adapters/rocksdb/replica.h"
#include "engine/status.h"
#include "loyalty/v1/replication.pb.h"

namespace loyalty::replication {

struct PeerOptions {
  std::string node_id;  // this node's
  std::string secret;   // the group's
  LinkTls tls;
  int64_t timeout_ms = 5000;
};

Result<v1::PeerStatus> AskStatus(const std::string& address, const PeerOptions& options);

// Copies the peer's database into `incoming_dir` (made afresh), ready for
// InstallCheckpoint.
Status FetchCheckpoint(const std::string& address, const PeerOptions& options,
                       const std::string& incoming_dir);

struct FollowStats {
  uint64_t applied_seq = 0;
  uint64_t primary_seq = 0;       // the sender's latest, as of its last message
  int64_t last_batch_lag_ms = 0;  // its clock at sending to ours at applying
  uint64_t epoch = 0;             // the sender's
  bool connected = false;
};

class Follower {
 public:
  explicit Follower(PeerOptions options) : options_(std::move(options)) {}

  // Connects to `address` and applies its batches to `db` until Cancel(), an
  // error, a sender whose epoch is below `known_epoch`, or (catching up) once
  // `until_seq` is applied. NotFound: this copy is no prefix of the
  // sender's, or the sender's log no longer goes back that far: copy a
  // checkpoint.
  Status Run(const std::string& address, ReplicaDb& db, uint64_t known_epoch,
             uint64_t until_seq = std::numeric_limits<uint64_t>::max());
  void Cancel();
  FollowStats stats() const;

 private:
  const PeerOptions options_;
  mutable std::mutex mu_;
  FollowStats stats_;
  PeerLink* link_ = nullptr;  // while connected, for Cancel
  bool cancelled_ = false;
};

}  // namespace loyalty::replication
