#include "engine/runtime/memory_store.h"

#include <functional>

namespace loyalty {

// The writes of one batch, in order, applied to the contents at Commit.
class MemoryBatch final : public StoreBatch {
 public:
  using Write = std::function<void(MemoryStore::Contents&)>;
  void PutCustomer(const CustomerState& state) override {
    writes_.push_back([state](auto& c) { c.customers[state.customer_id] = state; });
  }
  void PutCard(std::string_view card, std::string_view customer_id) override {
    writes_.push_back(
        [card = std::string(card), id = std::string(customer_id)](auto& c) { c.cards[card] = id; });
  }
  void RetireCard(std::string_view card) override {
    writes_.push_back([card = std::string(card)](auto& c) {
      c.cards.erase(card);
      c.retired.insert(card);
    });
  }
  void EraseCustomer(std::string_view from_id, const CustomerState& state) override {
    writes_.push_back([from = std::string(from_id), state](auto& c) {
      c.customers.erase(from);
      c.customers[state.customer_id] = state;
      std::vector<LedgerEntry> entries = std::move(c.ledger[from]);
      c.ledger.erase(from);
      for (LedgerEntry& e : entries) e.customer_id = state.customer_id;
      c.ledger[state.customer_id] = std::move(entries);
      for (auto& [id, txn] : c.txns) {
        if (txn.customer_id != from) continue;
        txn.customer_id = state.customer_id;
        txn.reply.clear();
      }
    });
  }
  void PutTxn(const TxnRecord& txn, TimeMs) override {
    writes_.push_back([txn](auto& c) { c.txns[txn.transaction_id] = txn; });
  }
  void PutLedger(const LedgerEntry& entry) override {
    writes_.push_back([entry](auto& c) { c.ledger[entry.customer_id].push_back(entry); });
  }
  void PutBudgetUsed(std::string_view id, uint32_t shard, int64_t used) override {
    writes_.push_back(
        [key = std::make_pair(std::string(id), shard), used](auto& c) { c.budgets[key] = used; });
  }
  void PutRecord(std::string_view key, std::string_view value) override {
    writes_.push_back(
        [k = std::string(key), v = std::string(value)](auto& c) { c.records[k] = v; });
  }
  void PutOutbox(std::string_view customer_id, std::string_view event_json) override {
    writes_.push_back([id = std::string(customer_id), e = std::string(event_json)](auto& c) {
      c.outbox.emplace_back(id, e);
    });
  }
  bool empty() const override { return writes_.empty(); }
  void ApplyTo(MemoryStore::Contents& contents) const {
    for (const Write& w : writes_) w(contents);
  }

 private:
  std::vector<Write> writes_;
};

void MemoryStore::FailCommits(int count, Failure how) {
  std::lock_guard lock(mu_);
  failures_left_ = count;
  failure_ = how;
}

std::unique_ptr<StoreBatch> MemoryStore::NewBatch() const {
  return std::make_unique<MemoryBatch>();
}

void MemoryStore::HoldCommits(bool hold) {
  {
    std::lock_guard lock(mu_);
    hold_ = hold;
  }
  released_.notify_all();
}

std::size_t MemoryStore::commits_waiting() const {
  std::lock_guard lock(mu_);
  return waiting_;
}

Status MemoryStore::Commit(StoreBatch& batch) {
  std::unique_lock lock(mu_);
  waiting_ += 1;
  released_.wait(lock, [&] { return !hold_; });
  waiting_ -= 1;
  const Failure how = failures_left_ > 0 ? failure_ : Failure::kNone;
  if (failures_left_ > 0) --failures_left_;
  if (how != Failure::kNotWritten) static_cast<MemoryBatch&>(batch).ApplyTo(contents_);
  commits_ += 1;
  if (how != Failure::kNone) return Status::IoError("injected commit failure");
  return Status::Ok();
}

Result<std::optional<CustomerState>> MemoryStore::GetCustomer(std::string_view id) const {
  std::lock_guard lock(mu_);
  auto it = contents_.customers.find(id);
  if (it == contents_.customers.end()) return std::optional<CustomerState>();
  return std::optional<CustomerState>(it->second);
}

Result<std::optional<std::string>> MemoryStore::GetCustomerIdForCard(std::string_view card) const {
  std::lock_guard lock(mu_);
  auto it = contents_.cards.find(card);
  if (it == contents_.cards.end()) return std::optional<std::string>();
  return std::optional<std::string>(it->second);
}

Result<bool> MemoryStore::IsCardRetired(std::string_view card) const {
  std::lock_guard lock(mu_);
  return contents_.retired.count(card) > 0;
}

Result<std::optional<TxnRecord>> MemoryStore::GetTxn(std::string_view id) const {
  std::lock_guard lock(mu_);
  auto it = contents_.txns.find(id);
  if (it == contents_.txns.end()) return std::optional<TxnRecord>();
  return std::optional<TxnRecord>(it->second);
}

Status MemoryStore::ForEachCustomer(
    const std::function<Status(const CustomerState&)>& visit) const {
  std::vector<CustomerState> all;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, state] : contents_.customers) all.push_back(state);
  }
  for (const CustomerState& s : all) {
    if (Status st = visit(s); !st.ok()) return st;
  }
  return Status::Ok();
}

Status MemoryStore::ForEachBudgetUsed(
    const std::function<void(const std::string&, uint32_t, int64_t)>& visit) const {
  std::lock_guard lock(mu_);
  for (const auto& [key, used] : contents_.budgets) visit(key.first, key.second, used);
  return Status::Ok();
}

std::vector<LedgerEntry> MemoryStore::Ledger(const std::string& customer_id) const {
  std::lock_guard lock(mu_);
  auto it = contents_.ledger.find(customer_id);
  return it == contents_.ledger.end() ? std::vector<LedgerEntry>{} : it->second;
}

std::vector<std::pair<std::string, std::string>> MemoryStore::Outbox() const {
  std::lock_guard lock(mu_);
  return contents_.outbox;
}

std::map<std::string, std::string> MemoryStore::Records() const {
  std::lock_guard lock(mu_);
  return contents_.records;
}

}  // namespace loyalty
