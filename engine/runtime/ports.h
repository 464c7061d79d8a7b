// The runtime's ports: what it needs from outside, declared here and
// implemented by adapters (DESIGN.md §3). The RocksDB store implements
// DurableStore, the protobuf codec DecisionCodec, the Redis publisher a
// CommitListener, the metrics a RuntimeObserver; tools/ joins them.
// MemoryStore (memory_store.h) implements DurableStore in memory, for tests
// and simulations that drive the runtime without a disk.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "engine/customer_state.h"
#include "engine/decision.h"
#include "engine/event.h"
#include "engine/ledger.h"
#include "engine/status.h"

namespace loyalty {

// The writes of one group of events, applied all or nothing by Commit.
class StoreBatch {
 public:
  virtual ~StoreBatch() = default;
  virtual void PutCustomer(const CustomerState& state) = 0;
  virtual void PutCard(std::string_view card, std::string_view customer_id) = 0;
  // A card never to be used again (replaced, erased): its link goes, and the
  // store remembers it (as a salted hash, never the number) so that
  // IsCardRetired says so.
  virtual void RetireCard(std::string_view card) = 0;
  // The customer known as `from_id` becomes `state` (under another id, a
  // pseudonym): when committed, after every earlier commit, the store moves
  // their ledger entries and transaction records to the new id (the records'
  // stored replies are dropped: they named the customer) and removes the
  // record under the old id. Stands in for PutCustomer(state).
  virtual void EraseCustomer(std::string_view from_id, const CustomerState& state) = 0;
  virtual void PutTxn(const TxnRecord& txn, TimeMs stored_at_ms) = 0;
  virtual void PutLedger(const LedgerEntry& entry) = 0;
  // What a shard has drawn from a campaign budget, in all (cumulative).
  virtual void PutBudgetUsed(std::string_view budget_id, uint32_t shard, int64_t used) = 0;
  // A record a channel asked to keep with its event's decision (an audit
  // entry: CommitRecordsFn), opaque to the runtime; the store keeps it with
  // its own metadata.
  virtual void PutRecord(std::string_view key, std::string_view value) = 0;
  // An event for the outside world (engine/outbox.h: a CloudEvent's JSON),
  // kept in order until a dispatcher has delivered it. The store gives it
  // its place in the queue.
  virtual void PutOutbox(std::string_view customer_id, std::string_view event_json) = 0;
  virtual bool empty() const = 0;
};

// The system of record. Every method may be called from several threads.
class DurableStore {
 public:
  virtual ~DurableStore() = default;
  virtual std::unique_ptr<StoreBatch> NewBatch() const = 0;
  // Applies `batch` all or nothing. Ok means durable: it survives a crash of
  // the process or of the machine. Not ok: the outcome is unknown (a failed
  // fsync may still have written it).
  virtual Status Commit(StoreBatch& batch) = 0;
  virtual Result<std::optional<CustomerState>> GetCustomer(std::string_view customer_id) const = 0;
  virtual Result<std::optional<std::string>> GetCustomerIdForCard(std::string_view card) const = 0;
  virtual Result<std::optional<TxnRecord>> GetTxn(std::string_view transaction_id) const = 0;
  virtual Result<bool> IsCardRetired(std::string_view card) const = 0;
  // Stops at the first non-ok Status returned by `visit` and returns it.
  virtual Status ForEachCustomer(
      const std::function<Status(const CustomerState&)>& visit) const = 0;
  virtual Status ForEachBudgetUsed(
      const std::function<void(const std::string& budget_id, uint32_t shard, int64_t used)>& visit)
      const = 0;
};

// How a decision is kept: the bytes stored under its transaction id and sent
// again, byte for byte, to every retry (the wire encoding, proto/).
class DecisionCodec {
 public:
  virtual ~DecisionCodec() = default;
  virtual std::string Encode(const Decision& decision) const = 0;
};

// Told, after a commit and on the committing shard's thread, about every
// customer whose state that commit changed. Must not block: queue and return
// (a cache publisher, for instance). `now_ms` is the server time of the event.
using CommitListener = std::function<void(const CustomerState& state, TimeMs now_ms)>;

// Told about every request answered and every commit, on the thread that did
// it (the caller's or a shard's). Must be cheap and never block: it feeds
// metrics. `outcome` is an OutcomeName, "replay", "profile", "unknown_card",
// "invalid_field", "unavailable" or "overloaded"; `reason` one of
// "invalid_field", "unknown_message", "overloaded".
class RuntimeObserver {
 public:
  virtual ~RuntimeObserver() = default;
  virtual void OnEvent(EventKind kind, std::string_view outcome, int64_t latency_ns) = 0;
  virtual void OnRejected(std::string_view reason) = 0;
  virtual void OnCommit(std::size_t group_size, int64_t commit_ns) = 0;
};

}  // namespace loyalty
