// MemoryStore: a DurableStore in memory, for tests and simulations that
// drive the runtime without a disk. "Durable" here means "committed": a
// commit applies its batch whole, or, when a failure is injected, not at all
// (FailCommits) or whole while still reporting a failure (the fsync that
// failed after the write: the outcome a client must treat as unknown).
//
// Thread safety: every method from any thread (one mutex).
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "engine/runtime/ports.h"

namespace loyalty {

class MemoryStore final : public DurableStore {
 public:
  enum class Failure { kNone, kNotWritten, kWrittenButFailed };
  // The next `count` commits fail as `how`.
  void FailCommits(int count, Failure how);
  // While held, commits wait (a slow disk); commits_waiting() says how many.
  void HoldCommits(bool hold);
  std::size_t commits_waiting() const;

  std::unique_ptr<StoreBatch> NewBatch() const override;
  Status Commit(StoreBatch& batch) override;
  Result<std::optional<CustomerState>> GetCustomer(std::string_view customer_id) const override;
  Result<std::optional<std::string>> GetCustomerIdForCard(std::string_view card) const override;
  Result<std::optional<TxnRecord>> GetTxn(std::string_view transaction_id) const override;
  Result<bool> IsCardRetired(std::string_view card) const override;
  Status ForEachCustomer(const std::function<Status(const CustomerState&)>& visit) const override;
  Status ForEachBudgetUsed(
      const std::function<void(const std::string&, uint32_t, int64_t)>& visit) const override;

  // What was committed, for checks.
  std::vector<LedgerEntry> Ledger(const std::string& customer_id) const;
  // The channel's records (StoreBatch::PutRecord) committed, by key.
  std::map<std::string, std::string> Records() const;
  // The outbox committed, in order: (customer id, CloudEvent JSON).
  std::vector<std::pair<std::string, std::string>> Outbox() const;
  uint64_t commits() const { return commits_.load(); }

 private:
  friend class MemoryBatch;
  struct Contents {
    std::map<std::string, CustomerState, std::less<>> customers;
    std::map<std::string, std::string, std::less<>> cards;
    std::set<std::string, std::less<>> retired;  // cards (a test store keeps them plain)
    std::map<std::string, TxnRecord, std::less<>> txns;
    std::map<std::string, std::vector<LedgerEntry>> ledger;
    std::map<std::pair<std::string, uint32_t>, int64_t> budgets;
    std::map<std::string, std::string> records;
    std::vector<std::pair<std::string, std::string>> outbox;  // customer id, event, in order
  };
  mutable std::mutex mu_;
  std::condition_variable released_;
  bool hold_ = false;
  std::size_t waiting_ = 0;
  Contents contents_;
  int failures_left_ = 0;
  Failure failure_ = Failure::kNone;
  std::atomic<uint64_t> commits_{0};
};

}  // namespace loyalty
