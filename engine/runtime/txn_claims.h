// TxnClaims: transaction ids in flight across all shards (striped locks,
// held for a map insert or erase only). The same id may come with two cards,
// so on two shards: the claim, not the shard, is what makes one of them go
// first.
//
// Copies wait, they are not refused. A copy that finds its id claimed is
// parked on the claim (off every queue, so no shard thread ever blocks on
// another's commit and two shards cannot deadlock) and is handed back by
// Release, once the holder's group has committed or failed to. At most
// `copies_waiting_max` copies wait at once across all shards; the next is
// refused (kFull) without being parked.
//
// Thread safety: every method from any thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/runtime/work.h"

namespace loyalty {

class Shard;

// A copy of a transaction that found its id claimed, waiting for the claim's
// release: then it goes back to `home`, the shard of its own card.
struct WaitingCopy {
  Work work;
  Shard* home = nullptr;
};

class TxnClaims {
 public:
  explicit TxnClaims(std::size_t copies_waiting_max) : copies_waiting_max_(copies_waiting_max) {}

  enum class Claim { kTaken, kWaiting, kFull };
  // Takes `id` for the caller; false when another holds it (nothing waits).
  bool TryClaim(const std::string& id);
  // Takes `id` for the caller (kTaken), or parks `work` on the claim that
  // holds it (kWaiting: `work` is moved from and comes back from Release),
  // or refuses when too many copies wait already (kFull: `work` untouched).
  Claim ClaimOrWait(const std::string& id, Work& work, Shard* home);
  // Frees `id`; returns the copies that waited on it, for the caller to
  // send home (or answer). Only the holder releases.
  std::vector<WaitingCopy> Release(const std::string& id);
  std::size_t copies_waiting() const { return copies_waiting_.load(); }

 private:
  static constexpr std::size_t kStripes = 64;
  struct Stripe {
    std::mutex mu;
    std::unordered_map<std::string, std::vector<WaitingCopy>> held;  // id -> its waiting copies
  };
  Stripe& StripeFor(const std::string& id);
  Stripe stripes_[kStripes];
  const std::size_t copies_waiting_max_;
  std::atomic<std::size_t> copies_waiting_{0};
};

}  // namespace loyalty
