#include "adapters/net/verifier.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <charconv>

namespace loyalty::net {

Digest Sha256(std::string_view text) {
  Digest digest{};
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest.data());
  return digest;
}

std::string HmacSha256Hex(std::string_view key, std::string_view message) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &length);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[mac[i] >> 4];
    hex += kHex[mac[i] & 0xf];
  }
  return hex;
}

std::optional<Digest> ParseVerifier(std::string_view v) {
  if (v.substr(0, kVerifierPrefix.size()) != kVerifierPrefix ||
      v.size() != kVerifierPrefix.size() + 64) {
    return std::nullopt;
  }
  Digest d{};
  for (std::size_t i = 0; i < d.size(); ++i) {
    const char* digits = v.data() + kVerifierPrefix.size() + 2 * i;
    const auto [end, ec] = std::from_chars(digits, digits + 2, d[i], 16);
    if (ec != std::errc() || end != digits + 2) return std::nullopt;
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
