// StandbyLookups: a standby's answers to card lookups from its own copy
// (issue 18; `standby_lookups: on`, docs/OPERATIONS.md "A replicated group").
// A till whose primary is away, or a chain that sends its lookups to the
// standbys to keep them off the primary, still sees the customer: as of the
// copy, which each answer says (Profile.replica: how far the copy had got,
// how far the primary was, when it was read), so the till can tell staleness.
//
// The copy is written by replication (Group's follower). It is opened a
// second time here, read only, as a RocksDB secondary instance
// (StoreOptions::secondary_dir, in <data_dir>/.standby-reads), which a thread
// brings up to date every catch_up_ms. The rules, RFM quantiles and budgets
// of a lookup's view are the copy's too: what the primary had in force at
// the batch read. Writes are never answered here (NOT_PRIMARY, RoleSwitch).
//
// Thread safety: Handle from any thread; Open/Close from the thread that
// opens and closes the copy (Group::WatchCopy).
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "adapters/net/server.h"
#include "adapters/rocksdb/store.h"
#include "engine/budget.h"
#include "engine/rfm.h"
#include "engine/rules.h"

namespace loyalty {

struct StandbyLookupsOptions {
  std::string data_dir;  // the copy's directory
  std::string node_id;
  int64_t catch_up_ms = 100;
  std::function<uint64_t()> primary_seq;  // the primary's latest batch, as last heard (0: unknown)
  std::function<void(const std::string&)> warn;
};

class StandbyLookups final : public net::RequestHandler {
 public:
  explicit StandbyLookups(StandbyLookupsOptions options);
  ~StandbyLookups() override;
  // The copy at data_dir holds a database now / is about to close.
  void Open();
  void Close();
  // Whether a copy is open to answer from.
  bool ready() const;
  // When the copy read was last brought up to date (0: no copy open).
  int64_t read_at_ms() const;
  // The rules of the copy read last (null: no copy open), for the Welcome.
  std::shared_ptr<const RuleSet> rules() const;
  // For GET /v1/cluster: whether lookups are answered here, and as of what.
  nlohmann::json Describe() const;

  // A Lookup: the profile as of the copy; anything else is no standby's.
  void Handle(v1::Request request, ReplyFn reply) override;

 private:
  // What lookups read: the copy and what was in force at the batch read.
  struct View {
    std::shared_ptr<Store> store;
    std::shared_ptr<const RuleSet> rules;
    std::shared_ptr<const RfmQuantiles> rfm;
    std::shared_ptr<const BudgetsUsed> budgets;
    uint64_t applied_seq = 0;
    uint64_t primary_seq = 0;
    int64_t read_at_ms = 0;
  };
  void CatchUpLoop();
  // A new view of `store` at the batch it now holds (keeps `last`'s rules
  // and figures when nothing was written since).
  Result<std::shared_ptr<const View>> Refresh(std::shared_ptr<Store> store,
                                              const std::shared_ptr<const View>& last);

  const StandbyLookupsOptions options_;
  std::atomic<std::shared_ptr<const View>> view_;
  std::mutex mu_;  // the store's opening and closing, the thread's wake-ups
  std::condition_variable wake_;
  std::shared_ptr<Store> store_;  // guarded by mu_
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace loyalty
