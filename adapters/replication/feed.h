// Feed: the replication listener every node of a group runs. A peer that
// proves the group's secret may ask how far this node got (STATUS), copy its
// whole database (CHECKPOINT), or FOLLOW its batches as they are written and
// acknowledge what is on its own disk. A primary serves its standbys; a
// standby serves a new primary that finds it holds batches the new primary
// lacks (tools/loyaltyd/group.h).
//
// Fencing: a FOLLOW hello that has seen a newer epoch than this node writes
// in is refused (this node was deposed); so is a follower whose history is
// no prefix of this node's, which is told to copy a checkpoint.
//
// Threads: one accepting, and per peer one sending and one reading its
// acknowledgements. Every public method is safe from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "adapters/net/verifier.h"
#include "adapters/replication/peer_link.h"
#include "adapters/rocksdb/replica.h"
#include "engine/status.h"

namespace loyalty::replication {

struct FeedOptions {
  std::string listen;  // HOST:PORT; port 0: any free one
  std::string node_id;
  net::Digest secret_digest{};  // SHA-256 of the group's secret (verifier.h)
  LinkTls tls;
  std::string scratch_dir;    // checkpoints are made here (the data disk), then removed
  int64_t timeout_ms = 5000;  // silence after which a peer is given up
};

// What this node is, for its peers: its database (null while it has none),
// whether it is primary and the epoch it writes in (or last saw).
struct NodeView {
  std::shared_ptr<ReplicaDb> db;
  bool primary = false;
  uint64_t epoch = 0;
};

struct FollowerInfo {
  std::string node_id;
  std::string peer;  // address it connected from
  uint64_t acked_seq = 0;
  int64_t connected_ms = 0;
};

class Feed {
 public:
  using ViewFn = std::function<NodeView()>;
  static Result<std::unique_ptr<Feed>> Start(FeedOptions options, ViewFn view);
  ~Feed();
  Feed(const Feed&) = delete;
  Feed& operator=(const Feed&) = delete;

  uint16_t port() const { return port_; }
  // New batches were written: followers waiting for them send at once.
  void Wake();
  // True once a follower has acknowledged every batch up to `seq` (on its
  // disk); false at the deadline.
  bool WaitAcked(uint64_t seq, std::chrono::steady_clock::time_point deadline);
  std::vector<FollowerInfo> Followers() const;
  // The role changed: every stream is cut (followers connect again).
  void DropFollowers();

 private:
  struct Conn;
  Feed(FeedOptions options, ViewFn view, int listen_fd, uint16_t port);
  void AcceptLoop();
  void Serve(std::shared_ptr<Conn> conn);
  void Stream(Conn& conn, const NodeView& view, uint64_t after_seq);
  Status SendCheckpoint(PeerLink& link, const NodeView& view);
  void Reap();

  const FeedOptions options_;
  const ViewFn view_;
  const int listen_fd_;
  const uint16_t port_;
  mutable std::mutex mu_;
  std::condition_variable wake_;   // new batches, or stopping
  std::condition_variable acked_;  // a follower acknowledged
  uint64_t generation_ = 0;        // bumped by DropFollowers
  bool stopping_ = false;
  std::list<std::shared_ptr<Conn>> conns_;
  std::thread acceptor_;
};

}  // namespace loyalty::replication
