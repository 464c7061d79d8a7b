// RuleVersions: the rule sets a marketer published, kept as versions in the
// meta column family ("ruleset/" + version, key_codec.h). Each holds the YAML
// source text exactly as uploaded plus who, when and its state:
//   DRAFT -> (SCHEDULED) -> ACTIVE -> RETIRED -> (ACTIVE again: rollback)
// At most one version is ACTIVE. A forward activation records the version it
// replaced (replaced_version); a rollback goes back along those links and
// leaves them as they were, so rolling back twice walks further back and
// never returns to the version rolled back. The store gives numbers: the next version is
// one more than the highest ever stored, so numbers are never reused and a
// decision's rules_version always names one text.
//
// The text is opaque here: the caller validates it (rules_file::Parse)
// before AddDraft and before making it active. Every change is written in
// one batch with its audit entry (audit_log.h).
//
// Thread safety: changes are serialized by a mutex; reads from any thread.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "adapters/rocksdb/audit_log.h"
#include "adapters/rocksdb/store.h"
#include "loyalty/v1/admin_store.pb.h"

namespace loyalty {

using StoredRuleSet = store::v1::RuleSetVersion;

// Forward: a newer decision (replaced_version is set to the version in force).
// Rollback: going back (the links stay as they were).
enum class Activation { kForward, kRollback };

class RuleVersions {
 public:
  explicit RuleVersions(AuditLog& audit) : audit_(audit), store_(audit.store()) {}

  Result<std::vector<StoredRuleSet>> List() const;  // oldest first
  Result<std::optional<StoredRuleSet>> Get(uint32_t version) const;
  Result<std::optional<StoredRuleSet>> Active() const;

  // Stores `draft` (yaml, name, author, created_ms) as the next version, in
  // state DRAFT; `audit`'s after_version is that number.
  Result<StoredRuleSet> AddDraft(StoredRuleSet draft, store::v1::AuditEntry audit);
  // Makes `version` ACTIVE now, retiring the one active before.
  Result<StoredRuleSet> Activate(uint32_t version, const std::string& who, int64_t now_ms,
                                 store::v1::AuditEntry audit,
                                 Activation how = Activation::kForward);
  // A DRAFT's author asks for approval (state stays DRAFT).
  Result<StoredRuleSet> Submit(uint32_t version, const std::string& who, int64_t now_ms,
                               const std::string& note, store::v1::AuditEntry audit);
  // Marks `version` SCHEDULED for `at_ms`; the caller's timer calls Activate.
  // `at_ms` 0 takes the schedule back (DRAFT, or RETIRED if it was active).
  Result<StoredRuleSet> Schedule(uint32_t version, int64_t at_ms, const std::string& who,
                                 store::v1::AuditEntry audit);

 private:
  Result<StoredRuleSet> Require(uint32_t version) const;
  AuditLog& audit_;
  Store& store_;
  std::mutex mu_;
};

}  // namespace loyalty
