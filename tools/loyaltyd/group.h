// Group: this node's part in a replicated group (issue 18; docs/OPERATIONS.md
// "A replicated group"). The election is ZooKeeper's (adapters/zookeeper),
// the copying RocksDB's log (adapters/replication); this is the order of
// things between them:
//
//   standby   joins the election, serves its copy to peers (the feed), and
//             follows the primary into its copy: a checkpoint first when it
//             has none or its history is no prefix of the primary's, then
//             every batch as it is written. The daemon answers registers
//             NOT_PRIMARY naming the primary meanwhile.
//   elected   stops following; asks every peer how far it got and, when one
//             holds batches this node lacks, copies them from it first (in
//             sync mode an acknowledged batch is on at least one standby);
//             then begins its tenure (epoch, first sequence number) as the
//             first write of its reign and closes the copy. WaitUntilPrimary
//             returns and the daemon opens the store and serves.
//   primary   serves its log to standbys; every commit of the runtime waits
//             (sync) until a standby has it on disk, and no reply goes out
//             unless the lease still holds (ReplicatedStore).
//   deposed   a primary whose lease or session is lost acknowledges nothing
//             more and starts again as a standby (the daemon re-executes
//             itself): its last batches may be ones nobody else has, and the
//             new primary tells it to copy a checkpoint.
//
// Thread safety: every public method may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "adapters/replication/feed.h"
#include "adapters/replication/follow.h"
#include "adapters/rocksdb/replica.h"
#include "adapters/rocksdb/store.h"
#include "adapters/yaml/config_file.h"
#include "adapters/zookeeper/election.h"
#include "engine/runtime/ports.h"

namespace loyalty {

class Group {
 public:
  using LogFn = std::function<void(const std::string& line)>;
  // Reads the group's secret, starts the feed on the copy in data_dir (if
  // any) and joins the election. Invalid or Unavailable with the reason.
  static Result<std::unique_ptr<Group>> Join(const config_file::Config& config, LogFn info,
                                             LogFn warn);
  ~Group();

  // Follows the primary until this node is elected and ready to write:
  // caught up with its peers, its tenure begun, the copy closed. Unavailable
  // once Stop() was called.
  Status WaitUntilPrimary();
  // The daemon opened `store`: its log goes to the standbys from now on.
  // `fresh`: the store was just created (no copy existed anywhere).
  Status ServeAsPrimary(Store& store, bool fresh);
  void Stop();
  // Planned switchover (primary only): stops acknowledging, waits up to
  // `within` until a standby has every batch, then resigns, so the standby
  // behind takes over at once with nothing acknowledged left behind. This
  // node is then deposed (OnDeposed) and starts again as a standby.
  // Unavailable when no standby caught up in time (still primary then).
  Status HandOver(std::chrono::milliseconds within);

  // Called (on the election's thread) when this node, having served as
  // primary, is not primary any more.
  void OnDeposed(std::function<void(const std::string& why)> deposed);
  // Told, on the thread that opens or closes it, when the copy in data_dir
  // is open (true: at once if it is) and before it closes (false): a
  // checkpoint replaces it, or this node becomes primary.
  void WatchCopy(std::function<void(bool open)> watch);

  // A batch was written: the standbys may copy it now (before it is synced
  // here: the two flushes overlap).
  void Announce();
  // After a durable local commit: Ok when it may be acknowledged (sync: a
  // standby has it too; and this node still holds the lease).
  Status Acknowledge();
  // As Acknowledge for everything written so far, without blocking: `done`
  // is called once, on the group's own thread; at once with Ok when this
  // node is not serving (it wrote nothing). For the admin API's changes
  // outside the runtime (rule sets, the outbox).
  void AcknowledgeLater(std::function<void(Status)> done);
  bool IsPrimary() const { return election_->IsPrimary(); }
  // The primary's register address, "" while unknown (for NOT_PRIMARY).
  std::string PrimaryAddress() const;
  // GET /v1/cluster, and the metrics.
  nlohmann::json Describe() const;
  struct Figures {
    std::string role;  // primary | standby | away
    uint64_t epoch = 0, failovers = 0, applied_seq = 0, acked_seq = 0, lag_batches = 0;
    uint64_t standbys = 0;
    uint64_t primary_seq = 0;  // standby: the primary's latest batch, as last heard
  };
  Figures figures() const;
  const std::string& node_id() const { return node_id_; }

 private:
  Group(const config_file::Config& config, std::string secret, LogFn info, LogFn warn);
  replication::NodeView View() const;
  Status CopyCheckpoint(const std::string& replication_address);
  Status OpenCopy();
  Status CloseCopy();
  bool IsPreGroupStore() const;
  Status CatchUpWithPeers(const zk::Leadership& won);
  void OnLeadership(const zk::Leadership& l);

  const std::string node_id_;
  const std::string data_dir_;
  const bool sync_;
  const std::chrono::milliseconds ack_timeout_;
  const replication::PeerOptions peer_;
  const LogFn info_, warn_;
  std::unique_ptr<replication::Feed> feed_;
  std::unique_ptr<zk::Election> election_;
  replication::Follower* follower_ = nullptr;  // while following; guarded by mu_

  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::shared_ptr<ReplicaDb> db_;  // the copy (standby) or the store's log (primary)
  bool stopping_ = false;
  bool serving_ = false;  // ServeAsPrimary was called
  std::atomic<bool> handing_over_{false};
  uint64_t epoch_ = 0;  // while primary
  std::function<void(const std::string&)> deposed_;
  std::function<void(bool)> watch_copy_;
  std::atomic<uint64_t> failovers_{0};
  std::atomic<int> copies_open_{0};  // ReplicaDb copies not yet destroyed
  // AcknowledgeLater's queue and thread.
  void AckLoop();
  Status AcknowledgeUpTo(uint64_t seq);
  std::deque<std::pair<uint64_t, std::function<void(Status)>>> acks_;  // guarded by mu_
  std::thread acker_;
};

// The runtime's store in a group: writes the batch, lets the standbys copy
// it while the local log is synced, then waits for Group::Acknowledge before
// it says durable.
class ReplicatedStore final : public DurableStore {
 public:
  ReplicatedStore(Store& store, Group& group) : store_(store), group_(group) {}
  std::unique_ptr<StoreBatch> NewBatch() const override { return store_.NewBatch(); }
  Status Commit(StoreBatch& batch) override {
    if (Status s = store_.Commit(static_cast<WriteSet&>(batch), [this] { group_.Announce(); });
        !s.ok()) {
      return s;
    }
    return group_.Acknowledge();
  }
  Result<std::optional<CustomerState>> GetCustomer(std::string_view id) const override {
    return store_.GetCustomer(id);
  }
  Result<std::optional<std::string>> GetCustomerIdForCard(std::string_view card) const override {
    return store_.GetCustomerIdForCard(card);
  }
  // A stored answer replayed to a retry is an acknowledgement too: given
  // only once a standby has it (a commit whose wait failed is on this
  // node's disk, and its retry finds it here).
  Result<std::optional<TxnRecord>> GetTxn(std::string_view id) const override {
    auto record = store_.GetTxn(id);
    if (!record.ok() || !record->has_value()) return record;
    if (Status s = group_.Acknowledge(); !s.ok()) return s;
    return record;
  }
  Result<bool> IsCardRetired(std::string_view card) const override {
    return store_.IsCardRetired(card);
  }
  Status ForEachCustomer(const std::function<Status(const CustomerState&)>& visit) const override {
    return store_.ForEachCustomer(visit);
  }
  Status ForEachBudgetUsed(
      const std::function<void(const std::string&, uint32_t, int64_t)>& visit) const override {
    return store_.ForEachBudgetUsed(visit);
  }

 private:
  Store& store_;
  Group& group_;
};

}  // namespace loyalty
