// Fuzz target: the stored-state decoder (proto/store_codec.cc). The input's
// first byte says which record the rest is (0: a customer, 1: a ledger
// entry, 2: a transaction record), as RocksDB would hand it back after a
// torn write, a bit flip or a value written by other code.
//
// A corrupted value is an error (kCorruption naming the record), never a
// crash. A value that decodes is one the core knows: a ledger entry's and a
// transaction's kind and outcome are values of their enums. Encoded again it
// decodes to the same thing: Encode(Decode(Encode(Decode(bytes)))) equals
// Encode(Decode(bytes)) byte for byte.
#include <google/protobuf/stubs/logging.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/check.h"
#include "proto/store_codec.h"

namespace loyalty::store_codec {
namespace {

template <typename T>
void CheckRefusal(const Result<T>& r, std::string_view what) {
  LOYALTY_CHECK(r.status().code() == StatusCode::kCorruption);
  LOYALTY_CHECK(r.status().message().rfind(what, 0) == 0);
}

void Customer(std::string_view bytes) {
  auto decoded = DecodeCustomer(bytes);
  if (!decoded.ok()) return CheckRefusal(decoded, "customer");
  const std::string once = EncodeCustomer(*decoded);
  auto again = DecodeCustomer(once);
  LOYALTY_CHECK(again.ok() && EncodeCustomer(*again) == once);
}

void Ledger(std::string_view bytes) {
  auto decoded = DecodeLedgerEntry(bytes, "C-1", 7);
  if (!decoded.ok()) {
    LOYALTY_CHECK(decoded.status().code() == StatusCode::kCorruption);
    LOYALTY_CHECK(decoded.status().message().rfind("ledger", 0) == 0);
    return;
  }
  LOYALTY_CHECK(decoded->customer_id == "C-1" && decoded->seq == 7);
  const auto kind = static_cast<int>(decoded->kind);
  LOYALTY_CHECK(kind >= static_cast<int>(LedgerKind::kEarn) &&
                kind <= static_cast<int>(LedgerKind::kMerge));
  const std::string once = EncodeLedgerEntry(*decoded);
  auto again = DecodeLedgerEntry(once, "C-1", 7);
  LOYALTY_CHECK(again.ok() && EncodeLedgerEntry(*again) == once);
}

void Txn(std::string_view bytes) {
  TimeMs stored_at = -1;
  auto decoded = DecodeTxn(bytes, "T-1", &stored_at);
  if (!decoded.ok()) return CheckRefusal(decoded, "transaction");
  LOYALTY_CHECK(decoded->transaction_id == "T-1");
  const auto kind = static_cast<int>(decoded->kind);
  LOYALTY_CHECK(kind >= static_cast<int>(EventKind::kEnroll) &&
                kind <= static_cast<int>(EventKind::kMerge));
  const auto outcome = static_cast<int>(decoded->outcome);
  LOYALTY_CHECK(outcome >= static_cast<int>(Outcome::kApplied) &&
                outcome <= static_cast<int>(Outcome::kPointsPerEventOverMax));
  const std::string once = EncodeTxn(*decoded, stored_at);
  TimeMs stored_again = -1;
  auto again = DecodeTxn(once, "T-1", &stored_again);
  LOYALTY_CHECK(again.ok() && stored_again == stored_at && EncodeTxn(*again, stored_at) == once);
}

}  // namespace
}  // namespace loyalty::store_codec

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);  // invalid UTF-8 would log each time
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace loyalty::store_codec;
  if (size == 0) return 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0: Customer(bytes); break;
    case 1: Ledger(bytes); break;
    default: Txn(bytes); break;
  }
  return 0;
}
