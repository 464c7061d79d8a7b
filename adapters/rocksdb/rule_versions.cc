#include "adapters/rocksdb/rule_versions.h"

#include "adapters/rocksdb/key_codec.h"

namespace loyalty {
namespace {

Store::MetaRecord Record(const StoredRuleSet& v) {
  return {store_keys::RuleSetKey(v.version()), v.SerializeAsString()};
}

}  // namespace

Result<std::vector<StoredRuleSet>> RuleVersions::List() const {
  std::vector<StoredRuleSet> out;
  Status bad;
  Status s = store_.ForEachMeta(
      store_keys::kRuleSetPrefix, false, [&](std::string_view key, std::string_view value) {
        StoredRuleSet v;
        if (!v.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
          bad = Status::Corruption(std::string(key) + " does not decode");
          return false;
        }
        out.push_back(std::move(v));
        return true;
      });
  if (!s.ok()) return s;
  if (!bad.ok()) return bad;
  return out;
}

Result<std::optional<StoredRuleSet>> RuleVersions::Get(uint32_t version) const {
  auto bytes = store_.GetMeta(store_keys::RuleSetKey(version));
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return std::optional<StoredRuleSet>();
  StoredRuleSet v;
  if (!v.ParseFromString(**bytes)) {
    return Status::Corruption("rule set version " + std::to_string(version) + " does not decode");
  }
  return std::optional<StoredRuleSet>(std::move(v));
}

Result<std::optional<StoredRuleSet>> RuleVersions::Active() const {
  auto all = List();
  if (!all.ok()) return all.status();
  for (auto& v : *all) {
    if (v.state() == store::v1::ACTIVE) return std::optional<StoredRuleSet>(std::move(v));
  }
  return std::optional<StoredRuleSet>();
}

Result<StoredRuleSet> RuleVersions::Require(uint32_t version) const {
  auto v = Get(version);
  if (!v.ok()) return v.status();
  if (!v->has_value()) {
    return Status::NotFound("rule set version " + std::to_string(version) + " does not exist");
  }
  return std::move(**v);
}

Result<StoredRuleSet> RuleVersions::AddDraft(StoredRuleSet draft, store::v1::AuditEntry audit) {
  std::lock_guard lock(mu_);
  uint32_t last = 0;
  Status s = store_.ForEachMeta(
      store_keys::kRuleSetPrefix, true, [&](std::string_view key, std::string_view) {
        last = static_cast<uint32_t>(std::stoul(
            std::string(key.substr(std::string_view(store_keys::kRuleSetPrefix).size()))));
        return false;
      });
  if (!s.ok()) return s;
  draft.set_version(last + 1);
  draft.set_state(store::v1::DRAFT);
  audit.set_after_version(draft.version());
  audit.set_target("rules/" + std::to_string(draft.version()));
  if (Status w = store_.PutMeta({Record(draft), audit_.Stage(audit)}); !w.ok()) return w;
  return draft;
}

Result<StoredRuleSet> RuleVersions::Activate(uint32_t version, const std::string& who,
                                             int64_t now_ms, store::v1::AuditEntry audit,
                                             Activation how) {
  std::lock_guard lock(mu_);
  auto next = Require(version);
  if (!next.ok()) return next.status();
  auto current = Active();
  if (!current.ok()) return current.status();
  std::vector<Store::MetaRecord> records;
  if (current->has_value()) {
    StoredRuleSet& old = **current;
    audit.set_before_version(old.version());
    if (old.version() == version) return old;  // already in force: nothing to write
    old.set_state(store::v1::RETIRED);
    records.push_back(Record(old));
    if (how == Activation::kForward) next->set_replaced_version(old.version());
  }
  next->set_state(store::v1::ACTIVE);
  next->set_activated_ms(now_ms);
  next->set_activated_by(who);
  next->set_activate_at_ms(0);
  next->set_was_active(true);
  audit.set_after_version(version);
  audit.set_target("rules/" + std::to_string(version));
  records.push_back(Record(*next));
  records.push_back(audit_.Stage(audit));
  if (Status w = store_.PutMeta(records); !w.ok()) return w;
  return next;
}

Result<StoredRuleSet> RuleVersions::Submit(uint32_t version, const std::string& who, int64_t now_ms,
                                           const std::string& note, store::v1::AuditEntry audit) {
  std::lock_guard lock(mu_);
  auto v = Require(version);
  if (!v.ok()) return v.status();
  if (v->state() != store::v1::DRAFT) {
    return Status::Invalid("rule set version " + std::to_string(version) +
                           " is not a draft: only drafts are submitted for approval");
  }
  v->set_submitted_ms(now_ms);
  v->set_submitted_by(who);
  v->set_submit_note(note);
  audit.set_after_version(version);
  audit.set_target("rules/" + std::to_string(version));
  if (Status w = store_.PutMeta({Record(*v), audit_.Stage(audit)}); !w.ok()) return w;
  return v;
}

Result<StoredRuleSet> RuleVersions::Schedule(uint32_t version, int64_t at_ms,
                                             const std::string& who, store::v1::AuditEntry audit) {
  std::lock_guard lock(mu_);
  auto v = Require(version);
  if (!v.ok()) return v.status();
  if (v->state() == store::v1::ACTIVE) {
    return Status::Invalid("rule set version " + std::to_string(version) + " is already active");
  }
  // at_ms 0 takes a schedule back.
  v->set_state(at_ms != 0        ? store::v1::SCHEDULED
               : v->was_active() ? store::v1::RETIRED
                                 : store::v1::DRAFT);
  v->set_activate_at_ms(at_ms);
  v->set_scheduled_by(who);
  audit.set_after_version(version);
  audit.set_target("rules/" + std::to_string(version));
  if (Status w = store_.PutMeta({Record(*v), audit_.Stage(audit)}); !w.ok()) return w;
  return v;
}

}  // namespace loyalty
