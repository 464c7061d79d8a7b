#include "adapters/zookeeper/records.h"

#include <algorithm>
#include <charconv>

namespace loyalty::zk {
namespace {

constexpr size_t kSequenceDigits = 10;  // ZooKeeper's fixed width

bool NodeIdByte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

bool AddressByte(char c) { return c > ' ' && c < 0x7f; }

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (true) {
    const size_t end = text.find('\n', start);
    lines.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return lines;
    start = end + 1;
  }
}

// Empty, too long or holding a byte outside `allowed`: Invalid, naming the
// field and why.
Status CheckField(const char* field, const std::string& value, size_t bytes_max,
                  bool (*allowed)(char), const char* rule) {
  const std::string name(field);
  if (value.empty()) return Status::Invalid(name + ": empty");
  if (value.size() > bytes_max) {
    return Status::Invalid(name + ": longer than " + std::to_string(bytes_max) + " bytes");
  }
  if (!std::all_of(value.begin(), value.end(), allowed)) {
    return Status::Invalid(name + " '" + value + "': " + rule);
  }
  return Status::Ok();
}

}  // namespace

Status ValidateMember(const Member& member) {
  if (Status s = CheckField("node id", member.node_id, kNodeIdBytesMax, NodeIdByte,
                            "only letters, digits, '.', '_' and '-' are allowed");
      !s.ok()) {
    return s;
  }
  if (Status s = CheckField("address", member.address, kAddressBytesMax, AddressByte,
                            "no spaces, control characters or non-ASCII bytes");
      !s.ok() || member.replication.empty()) {
    return s;
  }
  return CheckField("replication address", member.replication, kAddressBytesMax, AddressByte,
                    "no spaces, control characters or non-ASCII bytes");
}

std::string EncodeMember(const Member& member) {
  std::string text = member.node_id + "\n" + member.address;
  if (!member.replication.empty()) text += "\n" + member.replication;
  return text;
}

Result<Member> DecodeMember(std::string_view text) {
  const auto lines = Lines(text);
  if (lines.size() < 2) return Status::Corruption("member znode: want 'node_id\\naddress'");
  Member member{std::string(lines[0]), std::string(lines[1]),
                lines.size() > 2 ? std::string(lines[2]) : std::string()};
  if (Status s = ValidateMember(member); !s.ok()) {
    return Status::Corruption("member znode: " + s.message());
  }
  return member;
}

std::string EncodeEpoch(const EpochRecord& record) {
  std::string text = std::to_string(record.epoch);
  if (record.holder) text += "\n" + EncodeMember(*record.holder);
  return text;
}

Result<EpochRecord> DecodeEpoch(std::string_view text) {
  const auto lines = Lines(text);
  EpochRecord record;
  const std::string_view number = lines[0];
  const auto [end, ec] =
      std::from_chars(number.data(), number.data() + number.size(), record.epoch);
  if (number.empty() || ec != std::errc() || end != number.data() + number.size()) {
    return Status::Corruption("epoch znode: the first line '" + std::string(number) +
                              "' is not a decimal epoch");
  }
  if (lines.size() == 1) return record;
  auto holder = DecodeMember(text.substr(number.size() + 1));
  if (!holder.ok()) return Status::Corruption("epoch znode holder: " + holder.status().message());
  record.holder = *std::move(holder);
  return record;
}

std::optional<uint64_t> SequenceOf(std::string_view name) {
  if (name.size() < kSequenceDigits) return std::nullopt;
  const std::string_view digits = name.substr(name.size() - kSequenceDigits);
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  uint64_t sequence = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), sequence);  // ten digits fit
  return sequence;
}

std::vector<std::string> OrderBySequence(std::vector<std::string> names) {
  std::erase_if(names, [](const std::string& n) { return !SequenceOf(n); });
  std::sort(names.begin(), names.end(), [](const std::string& a, const std::string& b) {
    return *SequenceOf(a) < *SequenceOf(b);
  });
  return names;
}

Status ValidateRoot(std::string_view root) {
  if (root.size() < 2 || root.front() != '/' || root.back() == '/') {
    return Status::Invalid("ZooKeeper root '" + std::string(root) +
                           "': must start with '/', name a node and not end with '/'");
  }
  if (root.find("//") != std::string_view::npos) {
    return Status::Invalid("ZooKeeper root '" + std::string(root) + "': has an empty segment");
  }
  const bool printable = std::all_of(root.begin(), root.end(), AddressByte);
  if (!printable) {
    return Status::Invalid("ZooKeeper root '" + std::string(root) +
                           "': only printable ASCII without spaces");
  }
  return Status::Ok();
}

}  // namespace loyalty::zk
