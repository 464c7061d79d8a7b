#include "engine/runtime/txn_claims.h"

#include <functional>

#include "engine/check.h"

namespace loyalty {

TxnClaims::Stripe& TxnClaims::StripeFor(const std::string& id) {
  return stripes_[std::hash<std::string>{}(id) % kStripes];
}

bool TxnClaims::TryClaim(const std::string& id) {
  Stripe& s = StripeFor(id);
  std::lock_guard lock(s.mu);
  return s.held.try_emplace(id).second;
}

TxnClaims::Claim TxnClaims::ClaimOrWait(const std::string& id, Work& work, Shard* home) {
  Stripe& s = StripeFor(id);
  std::lock_guard lock(s.mu);  // the holder's Release takes it too: no copy is left behind
  auto [it, taken] = s.held.try_emplace(id);
  if (taken) return Claim::kTaken;
  if (copies_waiting_.fetch_add(1) >= copies_waiting_max_) {
    copies_waiting_.fetch_sub(1);
    return Claim::kFull;
  }
  it->second.push_back(WaitingCopy{std::move(work), home});
  return Claim::kWaiting;
}

std::vector<WaitingCopy> TxnClaims::Release(const std::string& id) {
  Stripe& s = StripeFor(id);
  std::vector<WaitingCopy> copies;
  {
    std::lock_guard lock(s.mu);
    auto it = s.held.find(id);
    LOYALTY_CHECK(it != s.held.end());  // only the holder releases, once
    copies = std::move(it->second);
    s.held.erase(it);
  }
  copies_waiting_.fetch_sub(copies.size());
  return copies;
}

}  // namespace loyalty
