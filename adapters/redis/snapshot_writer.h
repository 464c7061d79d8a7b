// SnapshotWriter: writes profile snapshots to Redis, pipelined, through a
// short Lua script that keeps the newer snapshot. A snapshot replaces the
// stored one only if its (version, as_of_ms) is greater, so a late write of
// an old snapshot (a retry, a resync racing a commit) never wins. The script
// also points each card key at the customer and sets the TTL on all of them.
//
// The script runs by EVALSHA; a NOSCRIPT reply (Redis restarted, or SCRIPT
// FLUSH) is answered by sending those snapshots again with EVAL, which also
// caches the script for the next batch.
//
// Thread safety: thread-compatible (one per publisher thread).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "adapters/redis/connection.h"
#include "adapters/redis/schema.h"
#include "engine/status.h"

namespace loyalty::redis {

enum class WriteOutcome {
  kWritten,  // stored
  kStale,    // Redis already held this or a newer snapshot: kept it
  kRefused,  // an error reply (e.g. a key of the wrong type): not stored
};

struct BatchResult {
  std::vector<WriteOutcome> outcomes;  // one per snapshot, in order
  std::string first_error;             // the first kRefused reply's text
};

class SnapshotWriter {
 public:
  // ttl_s == 0: keys never expire.
  SnapshotWriter(KeySchema schema, int64_t ttl_s);

  // Loads the script on a fresh connection (SCRIPT LOAD).
  Status Prepare(Connection& connection);

  // Writes all snapshots in one pipelined round trip (plus one more for
  // any NOSCRIPT). A failure Status means the connection is broken and the
  // outcome of every snapshot is unknown.
  Result<BatchResult> Write(Connection& connection, const std::vector<Snapshot>& batch);

  // The meta key: present after a complete resync (see schema.h).
  Result<bool> HasMeta(Connection& connection);
  Status WriteMeta(Connection& connection, TimeMs resynced_at_ms);

  const KeySchema& schema() const { return schema_; }

 private:
  std::vector<std::string> Args(const std::string& verb, const std::string& script_or_sha,
                                const Snapshot& s) const;

  KeySchema schema_;
  int64_t ttl_s_;
  std::string sha_;
};

// The Lua source, for tests and for readers who want to see the rule.
const std::string& VersionGuardScript();

}  // namespace loyalty::redis
