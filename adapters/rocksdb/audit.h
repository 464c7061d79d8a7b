// Audit: the ledger invariant over a whole database. For every customer,
// balance == sum of ledger entries, ledger sequences run 1..next-1 without
// gaps, and the state's own invariants hold (CheckState).
//
// Reads a consistent-enough view for a stopped server or a quiet one; on a
// busy server a customer changing mid-scan may be reported (re-run to confirm).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "adapters/rocksdb/store.h"

namespace loyalty {

struct AuditReport {
  uint64_t customers = 0;
  uint64_t ledger_entries = 0;
  int64_t points_outstanding = 0;     // sum of all balances: the liability
  std::vector<std::string> problems;  // one sentence each; empty = consistent
};

Result<AuditReport> Audit(const Store& store);

}  // namespace loyalty
