// The points ledger: every change of a customer's points is one immutable
// entry. For every customer, sum(entries.points) == state.balance(), always.
#pragma once

#include <cstdint>
#include <string>

#include "engine/event.h"

namespace loyalty {

enum class LedgerKind : uint8_t {
  kEarn = 1,     // points granted by a purchase (pending or spendable)
  kSpend = 2,    // points redeemed (negative)
  kExpire = 3,   // points that reached their expiry (negative)
  kReverse = 4,  // points taken back by a return (negative)
  kRefund = 5,   // spent points given back by a return or cancellation
  kAdjust = 6,   // manual correction by an operator, with a reason
  kMerge = 7,    // points moved between two customers merged into one (a pair)
};
const char* LedgerKindName(LedgerKind kind);

struct LedgerEntry {
  std::string customer_id;
  uint64_t seq = 0;  // per customer, 1, 2, 3... without gaps
  LedgerKind kind = LedgerKind::kEarn;
  int64_t points = 0;          // signed change of the balance
  std::string transaction_id;  // the event that caused it ("" for expiry sweeps)
  std::string rule_id;         // why: earning rule, or the reason code
  TimeMs at_ms = 0;
  std::string operator_id;  // kAdjust: who made the correction
  friend bool operator==(const LedgerEntry&, const LedgerEntry&) = default;
};

}  // namespace loyalty
