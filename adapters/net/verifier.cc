#include "adapters/net/verifier.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

namespace loyalty::net {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Digest Sha256(std::string_view text) {
  Digest digest{};
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest.data());
  return digest;
}

std::optional<Digest> ParseVerifier(std::string_view v) {
  if (v.substr(0, kVerifierPrefix.size()) != kVerifierPrefix ||
      v.size() != kVerifierPrefix.size() + 64) {
    return std::nullopt;
  }
  Digest d{};
  for (std::size_t i = 0; i < d.size(); ++i) {
    const int hi = HexValue(v[kVerifierPrefix.size() + 2 * i]);
    const int lo = HexValue(v[kVerifierPrefix.size() + 2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    d[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return d;
}

std::string VerifierText(std::string_view secret) {
  static constexpr char kDigits[] = "0123456789abcdef";
  const Digest d = Sha256(secret);
  std::string out(kVerifierPrefix);
  for (const uint8_t b : d) {
    out += kDigits[b >> 4];
    out += kDigits[b & 0xf];
  }
  return out;
}

bool SameDigest(const Digest& a, const Digest& b) {
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace loyalty::net
