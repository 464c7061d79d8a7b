#include "adapters/rocksdb/audit.h"

namespace loyalty {

Result<AuditReport> Audit(const Store& store) {
  AuditReport report;
  Status s = store.ForEachCustomer([&](const CustomerState& c) {
    report.customers += 1;
    if (Status st = CheckState(c); !st.ok()) report.problems.push_back(st.message());
    int64_t sum = 0;
    uint64_t expected_seq = 1;
    Status scan = store.ForEachLedgerEntry(c.customer_id, [&](const LedgerEntry& e) {
      if (e.seq != expected_seq) {
        report.problems.push_back("customer " + c.customer_id + ": ledger entry " +
                                  std::to_string(e.seq) + " where " + std::to_string(expected_seq) +
                                  " was expected");
      }
      expected_seq = e.seq + 1;
      sum += e.points;
      report.ledger_entries += 1;
      return Status::Ok();
    });
    if (!scan.ok()) return scan;
    if (expected_seq != c.next_ledger_seq) {
      report.problems.push_back("customer " + c.customer_id + ": ledger ends at " +
                                std::to_string(expected_seq - 1) + " but the state expects " +
                                std::to_string(c.next_ledger_seq - 1) + " entries");
    }
    if (sum != c.balance()) {
      report.problems.push_back("customer " + c.customer_id + ": balance " +
                                std::to_string(c.balance()) + " but the ledger sums to " +
                                std::to_string(sum));
    }
    report.points_outstanding += c.balance();
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return report;
}

}  // namespace loyalty
