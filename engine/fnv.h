// FNV-1a 64: a small, stable hash for fingerprints and holdout groups. Its
// values are stored (fingerprints) and decide who is held out of an offer,
// so it must never change.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace loyalty {

class Fnv {
 public:
  void Bytes(const void* data, std::size_t n) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < n; ++i) {
      h_ ^= p[i];
      h_ *= 1099511628211ULL;
    }
  }
  void Int(int64_t v) {
    unsigned char b[8];
    for (int i = 0; i < 8; ++i)
      b[i] = static_cast<unsigned char>(static_cast<uint64_t>(v) >> (8 * i));
    Bytes(b, 8);
  }
  // Length-prefixed, so "ab"+"c" differs from "a"+"bc".
  void Str(const std::string& s) {
    Int(static_cast<int64_t>(s.size()));
    Bytes(s.data(), s.size());
  }
  uint64_t value() const { return h_; }
  // The value as 16 lowercase hex digits (a pseudonym, a key).
  std::string hex() const {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out(16, '0');
    for (int i = 15, shift = 0; i >= 0; --i, shift += 4) out[i] = kDigits[(h_ >> shift) & 0xf];
    return out;
  }

 private:
  uint64_t h_ = 14695981039346656037ULL;
};

}  // namespace loyalty
