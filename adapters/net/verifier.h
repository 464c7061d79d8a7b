// Secrets kept as SHA-256 verifiers ("sha256:<64 hex>"), compared in
// constant time: the register credentials file and the admin tokens. A
// verifier is enough to check a secret and useless to present one, so a
// leaked file gives no access.
//
// Thread safety: pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace loyalty::net {

using Digest = std::array<uint8_t, 32>;
Digest Sha256(std::string_view text);
// HMAC-SHA256 of `message` under `key`, as 64 lowercase hex digits (the
// webhooks' signature, tools/wiring/webhook_sink.h).
std::string HmacSha256Hex(std::string_view key, std::string_view message);
inline constexpr std::string_view kVerifierPrefix = "sha256:";
// The digest of a "sha256:<64 hex>" text; nullopt when it is not one.
std::optional<Digest> ParseVerifier(std::string_view text);
// "sha256:<64 hex>" of `secret`.
std::string VerifierText(std::string_view secret);
// In constant time.
bool SameDigest(const Digest& a, const Digest& b);

}  // namespace loyalty::net
