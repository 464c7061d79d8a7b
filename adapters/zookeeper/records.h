// What the election keeps in ZooKeeper, as text a person can read with
// zkCli.sh (`get /loyalty/epoch`). Formats are contracts: fields are only
// ever appended, one per line.
//
//   {root}/nodes/n-{session hex}-{10-digit sequence}   ephemeral, per member:
//       "{node_id}\n{address}" or "{node_id}\n{address}\n{replication}"
//   {root}/epoch   persistent: "{epoch}" when no primary was ever elected,
//       else "{epoch}\n{node_id}\n{address}" of the member that took it.
//
// Pure: no ZooKeeper here, so every rule is unit tested without a server.
// Thread safety: functions on values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/status.h"

namespace loyalty::zk {

inline constexpr size_t kNodeIdBytesMax = 64;
inline constexpr size_t kAddressBytesMax = 256;

// One member of the group: who it is and where clients reach it.
struct Member {
  std::string node_id;  // [A-Za-z0-9._-], 1..kNodeIdBytesMax
  std::string address;  // "host:port" or any text without whitespace
  // Where peers pull its batches (a third line; empty: not given).
  std::string replication;
  bool operator==(const Member&) const = default;
};

// The holder of the latest epoch; holder is empty while epoch is 0.
struct EpochRecord {
  uint64_t epoch = 0;
  std::optional<Member> holder;
};

// Invalid when a field is empty, too long or holds a forbidden byte; the
// message names the field and why.
Status ValidateMember(const Member& member);

std::string EncodeMember(const Member& member);
Result<Member> DecodeMember(std::string_view text);

std::string EncodeEpoch(const EpochRecord& record);
Result<EpochRecord> DecodeEpoch(std::string_view text);

// The sequence ZooKeeper appended to a sequential znode's name (its last ten
// digits); nullopt when the name does not end in ten digits.
std::optional<uint64_t> SequenceOf(std::string_view name);

// The member names ordered by sequence, oldest first; names without a
// sequence are dropped (nothing else should live under nodes/).
std::vector<std::string> OrderBySequence(std::vector<std::string> names);

// "/loyalty" and the like: starts with '/', does not end with one, no empty
// segment; ZooKeeper's own rules for the rest.
Status ValidateRoot(std::string_view root);

}  // namespace loyalty::zk
