#include "adapters/redis/snapshot_writer.h"

#include <numeric>

namespace loyalty::redis {
namespace {

// KEYS[1]: the customer hash; KEYS[2..]: its card keys.
// ARGV[1]: version, ARGV[2]: as_of_ms, ARGV[3]: TTL in seconds (0: none),
// ARGV[4]: customer id, ARGV[5..]: field, value, field, value...
// Returns 1 when written, 0 when the stored snapshot is as new or newer.
// Lua numbers are doubles: versions and times are exact up to 2^53.
constexpr char kScript[] = R"lua(
local cur = redis.call('HMGET', KEYS[1], 'version', 'as_of_ms')
if cur[1] then
  local v, nv = tonumber(cur[1]), tonumber(ARGV[1])
  if v > nv or (v == nv and tonumber(cur[2] or 0) >= tonumber(ARGV[2])) then return 0 end
end
redis.call('HSET', KEYS[1], unpack(ARGV, 5))
local ttl = tonumber(ARGV[3])
if ttl > 0 then redis.call('EXPIRE', KEYS[1], ttl) else redis.call('PERSIST', KEYS[1]) end
for i = 2, #KEYS do
  if ttl > 0 then redis.call('SET', KEYS[i], ARGV[4], 'EX', ttl)
  else redis.call('SET', KEYS[i], ARGV[4]) end
end
return 1
)lua";

WriteOutcome OutcomeOf(const Reply& r) {
  if (r.type == Reply::Type::kInteger) {
    return r.integer == 1 ? WriteOutcome::kWritten : WriteOutcome::kStale;
  }
  return WriteOutcome::kRefused;
}

// Reads one reply for each index of `which`, in order. With `no_script`,
// NOSCRIPT replies are collected there instead of counting as refusals.
Status ReadOutcomes(Connection& c, const std::vector<std::size_t>& which, BatchResult& out,
                    std::vector<std::size_t>* no_script) {
  for (std::size_t i : which) {
    auto r = c.Read();
    if (!r.ok()) return r.status();
    if (no_script != nullptr && r->IsNoScript()) {
      no_script->push_back(i);
      continue;
    }
    out.outcomes[i] = OutcomeOf(*r);
    if (out.outcomes[i] == WriteOutcome::kRefused && out.first_error.empty()) {
      out.first_error = r->str;
    }
  }
  return Status::Ok();
}

}  // namespace

const std::string& VersionGuardScript() {
  static const std::string kText = kScript;
  return kText;
}

SnapshotWriter::SnapshotWriter(KeySchema schema, int64_t ttl_s)
    : schema_(std::move(schema)), ttl_s_(ttl_s) {}

Status SnapshotWriter::Prepare(Connection& c) {
  auto r = c.Command({"SCRIPT", "LOAD", VersionGuardScript()});
  if (!r.ok()) return r.status();
  if (r->type != Reply::Type::kString) {
    return Status::IoError("redis " + c.endpoint().ToString() + ": SCRIPT LOAD: " + r->str);
  }
  sha_ = r->str;
  return Status::Ok();
}

std::vector<std::string> SnapshotWriter::Args(const std::string& verb,
                                              const std::string& script_or_sha,
                                              const Snapshot& s) const {
  std::vector<std::string> a = {verb, script_or_sha, std::to_string(1 + s.cards.size()),
                                schema_.CustomerKey(s.customer_id)};
  for (const std::string& card : s.cards) a.push_back(schema_.CardKey(card));
  a.push_back(std::to_string(s.version));
  a.push_back(std::to_string(s.as_of_ms));
  a.push_back(std::to_string(ttl_s_));
  a.push_back(s.customer_id);
  for (auto& [field, value] : SnapshotFields(s)) {
    a.push_back(field);
    a.push_back(value);
  }
  return a;
}

Result<BatchResult> SnapshotWriter::Write(Connection& c, const std::vector<Snapshot>& batch) {
  BatchResult out;
  out.outcomes.resize(batch.size(), WriteOutcome::kRefused);
  std::vector<std::size_t> all(batch.size());
  std::iota(all.begin(), all.end(), 0);
  for (const Snapshot& s : batch) c.Append(Args("EVALSHA", sha_, s));
  std::vector<std::size_t> no_script;
  if (Status s = ReadOutcomes(c, all, out, &no_script); !s.ok()) return s;
  if (no_script.empty()) return out;
  for (std::size_t i : no_script) c.Append(Args("EVAL", VersionGuardScript(), batch[i]));
  if (Status s = ReadOutcomes(c, no_script, out, nullptr); !s.ok()) return s;
  return out;
}

Result<bool> SnapshotWriter::HasMeta(Connection& c) {
  auto r = c.Command({"EXISTS", schema_.MetaKey()});
  if (!r.ok()) return r.status();
  if (r->type != Reply::Type::kInteger) return Status::IoError("redis EXISTS: " + r->str);
  return r->integer == 1;
}

Status SnapshotWriter::WriteMeta(Connection& c, TimeMs resynced_at_ms) {
  auto r = c.Command({"HSET", schema_.MetaKey(), "schema", std::to_string(kSchemaVersion),
                      "resynced_at_ms", std::to_string(resynced_at_ms)});
  if (!r.ok()) return r.status();
  if (r->IsError()) return Status::IoError("redis HSET meta: " + r->str);
  return Status::Ok();
}

}  // namespace loyalty::redis
