#include "adapters/rocksdb/key_codec.h"

#include <cstdio>

#include "engine/fnv.h"

namespace loyalty::store_keys {

std::string LedgerPrefix(std::string_view customer_id) {
  LOYALTY_CHECK(!customer_id.empty() && customer_id.size() <= 255);
  std::string key;
  key.reserve(1 + customer_id.size() + 8);
  key.push_back(static_cast<char>(customer_id.size()));
  key.append(customer_id);
  return key;
}

std::string LedgerKey(std::string_view customer_id, uint64_t seq) {
  std::string key = LedgerPrefix(customer_id);
  for (int shift = 56; shift >= 0; shift -= 8) key.push_back(static_cast<char>(seq >> shift));
  return key;
}

Result<LedgerKeyParts> ParseLedgerKey(std::string_view key) {
  if (key.empty()) return Status::Corruption("empty ledger key");
  const std::size_t n = static_cast<unsigned char>(key[0]);
  if (n == 0 || key.size() != 1 + n + 8) {
    return Status::Corruption("ledger key of " + std::to_string(key.size()) +
                              " bytes does not match its length prefix");
  }
  LedgerKeyParts parts;
  parts.customer_id.assign(key.substr(1, n));
  for (std::size_t i = 1 + n; i < key.size(); ++i) {
    parts.seq = (parts.seq << 8) | static_cast<unsigned char>(key[i]);
  }
  return parts;
}

std::string RuleSetKey(uint32_t version) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s%010u", kRuleSetPrefix, version);
  return buf;
}

std::string OutboxKey(uint64_t seq) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s%020llu", kOutboxPrefix, static_cast<unsigned long long>(seq));
  return buf;
}

std::string DeadLetterKey(uint64_t seq) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s%020llu", kDeadLetterPrefix,
                static_cast<unsigned long long>(seq));
  return buf;
}

std::string AuditKey(uint64_t seq) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s%020llu", kAuditPrefix, static_cast<unsigned long long>(seq));
  return buf;
}

std::string RetiredCardKey(std::string_view salt, std::string_view card) {
  Fnv f;
  f.Str(std::string(salt));
  f.Str(std::string(card));
  return std::string("\x01retired:") + f.hex();
}

}  // namespace loyalty::store_keys
