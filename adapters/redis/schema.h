// The Redis key schema and the profile snapshot stored under it. This is a
// contract other teams read (web shop, app, kiosks, other engine nodes); it is
// written out for them in README.md. Append fields, never rename or reuse one.
//
//   {prefix}customer:{customer_id}  hash: the snapshot (fields below)
//   {prefix}card:{card}             string: the customer id owning the card
//   {prefix}meta                    hash: schema, resynced_at_ms (written after
//                                   a full resync; absent means Redis lost or
//                                   never had the data)
//
// Both snapshot keys carry the same TTL (cold customers fall out of the cache
// and are rewritten on their next change or resync).
//
// Thread safety: values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/customer_state.h"
#include "engine/decide.h"
#include "engine/status.h"

namespace loyalty::redis {

inline constexpr int kSchemaVersion = 1;

class KeySchema {
 public:
  explicit KeySchema(std::string prefix = "loyalty:") : prefix_(std::move(prefix)) {}
  std::string CustomerKey(const std::string& customer_id) const {
    return prefix_ + "customer:" + customer_id;
  }
  std::string CardKey(const std::string& card) const { return prefix_ + "card:" + card; }
  std::string MetaKey() const { return prefix_ + "meta"; }
  const std::string& prefix() const { return prefix_; }

 private:
  std::string prefix_;
};

// What a lookup channel reads: the profile as of `as_of_ms`.
struct Snapshot {
  std::string customer_id;
  std::vector<std::string> cards;
  std::string tier;
  int64_t balance = 0;
  int64_t spendable = 0;
  int64_t pending = 0;
  int64_t lifetime = 0;
  int64_t next_expiry_points = 0;
  TimeMs next_expiry_ms = 0;
  int64_t visits = 0;
  int64_t spend_minor = 0;
  TimeMs first_purchase_ms = 0;
  TimeMs last_purchase_ms = 0;
  TimeMs enrolled_at_ms = 0;
  std::string birthday;               // "YYYY-MM-DD", "--MM-DD" or empty
  uint64_t version = 0;               // CustomerState::version
  TimeMs as_of_ms = 0;                // balances are computed as of this time
  std::string offers = "[]";          // JSON array of objects (README.md); [] without rules
  std::string greeting_hints = "[]";  // JSON array of strings; [] without rules
  friend bool operator==(const Snapshot&, const Snapshot&) = default;
};

// The snapshot of `state` as of `now_ms` (engine::ViewProfile, without
// rules: no offers, no hints).
Snapshot MakeSnapshot(const CustomerState& state, TimeMs now_ms);
// The snapshot of a profile viewed as of `now_ms`, with its offers and hints.
Snapshot MakeSnapshot(const Profile& profile, TimeMs now_ms);

// Hash fields in a fixed order, "schema" first.
std::vector<std::pair<std::string, std::string>> SnapshotFields(const Snapshot& snapshot);

// From HGETALL's field/value pairs. Refuses a missing or newer schema and
// numbers that do not parse (a Status naming the field).
Result<Snapshot> ParseSnapshot(const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace loyalty::redis
