#include "adapters/rocksdb/txn_retention.h"

#include <rocksdb/compaction_filter.h>

#include <chrono>

#include "loyalty/v1/store.pb.h"

namespace loyalty {
namespace {

TimeMs SystemNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class TxnRetentionFilter final : public rocksdb::CompactionFilter {
 public:
  TxnRetentionFilter(TxnRetention retention, std::shared_ptr<std::atomic<uint64_t>> pruned)
      : retention_(std::move(retention)), pruned_(std::move(pruned)) {}

  // Called from RocksDB's compaction threads, several at once.
  bool Filter(int /*level*/, const rocksdb::Slice& /*key*/, const rocksdb::Slice& value,
              std::string* /*new_value*/, bool* /*value_changed*/) const override {
    if (retention_.retention_ms <= 0) return false;
    store::v1::Txn txn;
    // An unreadable record is kept: `loyalty check` reports it, pruning
    // must not hide it.
    if (!txn.ParseFromArray(value.data(), static_cast<int>(value.size()))) return false;
    if (txn.stored_at_ms() <= 0) return false;  // written before stored_at_ms existed
    const TimeMs now = retention_.clock ? retention_.clock() : SystemNowMs();
    if (now - txn.stored_at_ms() <= retention_.retention_ms) return false;
    pruned_->fetch_add(1, std::memory_order_relaxed);
    return true;
  }
  const char* Name() const override { return "loyalty.TxnRetention"; }

 private:
  const TxnRetention retention_;
  const std::shared_ptr<std::atomic<uint64_t>> pruned_;
};

}  // namespace

std::unique_ptr<rocksdb::CompactionFilter> MakeTxnRetentionFilter(
    TxnRetention retention, std::shared_ptr<std::atomic<uint64_t>> pruned) {
  return std::make_unique<TxnRetentionFilter>(std::move(retention), std::move(pruned));
}

}  // namespace loyalty
