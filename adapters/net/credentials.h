// Register credentials: who may speak on the register channel, and as which
// store and register (docs/SECURITY.md).
//
// A credential is a public key id and a 256-bit random secret, written as 64
// hex digits. The server keeps only a verifier, SHA-256 of the secret's text,
// in the registers file; a till proves its credential by sending the secret
// in its first frame (Hello) over TLS. The secret is random and long, so a
// fast hash is enough (nothing to brute-force); it is compared in constant
// time.
//
// The registers file, one credential a line ('#' starts a comment):
//   KEY_ID  KIND  STORE  REGISTER  sha256:<64 hex>  [revoked]
// KIND is `register` (bound to STORE and REGISTER) or `operator` (STORE and
// REGISTER are `*`: any store, and Adjust). Ids are printable ASCII without
// spaces, at most limits::kIdBytesMax bytes.
//
// A CredentialBook is an immutable snapshot of that file; reloading makes a
// new one (thread safety: a const book may be read from any thread).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "adapters/net/verifier.h"
#include "engine/status.h"

namespace loyalty::net {

enum class CredentialKind : uint8_t { kRegister, kOperator };

struct Credential {
  std::string key_id;
  CredentialKind kind = CredentialKind::kRegister;
  std::string store_id;     // "*" for an operator
  std::string register_id;  // "*" for an operator
  std::array<uint8_t, 32> verifier{};
  bool revoked = false;
};

// Why a Hello was not accepted (counted in /metrics by these names).
enum class AuthRefusal : uint8_t { kNone, kMalformed, kUnknownKey, kWrongSecret, kRevoked };
const char* AuthRefusalName(AuthRefusal refusal);

class CredentialBook {
 public:
  // Parses the registers file's text; `source` names it in error messages,
  // which give the line number and what is wrong.
  static Result<std::shared_ptr<const CredentialBook>> Parse(std::string_view text,
                                                             const std::string& source);
  static Result<std::shared_ptr<const CredentialBook>> Load(const std::string& path);

  // The credential `key_id` names if `secret` proves it; else why not.
  AuthRefusal Verify(std::string_view key_id, std::string_view secret,
                     const Credential** credential) const;
  const Credential* Find(std::string_view key_id) const;
  std::size_t size() const { return by_key_.size(); }

 private:
  std::map<std::string, Credential, std::less<>> by_key_;
};

// A secret: 32 random bytes from the OS's CSPRNG as 64 lowercase hex digits.
Result<std::string> MakeSecret();
// VerifierText (verifier.h): "sha256:<64 hex>" of a secret, as the registers
// file stores it.

// The client's credential file: one line "KEY_ID:SECRET".
struct ClientCredential {
  std::string key_id;
  std::string secret;
};
Result<ClientCredential> LoadClientCredential(const std::string& path);

}  // namespace loyalty::net
