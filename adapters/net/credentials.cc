#include "adapters/net/credentials.h"

#include <openssl/rand.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "adapters/net/verifier.h"
#include "engine/limits.h"

namespace loyalty::net {
namespace {

constexpr std::size_t kSecretHexDigits = 64;

std::string Hex(const uint8_t* bytes, std::size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) {
    out += kDigits[bytes[i] >> 4];
    out += kDigits[bytes[i] & 0xf];
  }
  return out;
}

// Printable ASCII without spaces, 1..kIdBytesMax bytes.
bool IsId(std::string_view s) {
  if (s.empty() || s.size() > limits::kIdBytesMax) return false;
  for (const char c : s) {
    if (c <= ' ' || c > '~') return false;
  }
  return true;
}

std::vector<std::string> Words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

// One line of the registers file into `c`; "" or why it is wrong.
std::string ParseLine(const std::vector<std::string>& w, Credential* c) {
  if (w.size() != 5 && w.size() != 6) {
    return "expected KEY_ID KIND STORE REGISTER sha256:HEX [revoked], got " +
           std::to_string(w.size()) + " words";
  }
  if (!IsId(w[0])) return "key id '" + w[0] + "' is not 1-64 printable ASCII characters";
  c->key_id = w[0];
  if (w[1] == "register") {
    c->kind = CredentialKind::kRegister;
    if (!IsId(w[2]) || w[2] == "*") return "store '" + w[2] + "' is not a store id";
    if (!IsId(w[3]) || w[3] == "*") return "register '" + w[3] + "' is not a register id";
  } else if (w[1] == "operator") {
    c->kind = CredentialKind::kOperator;
    if (w[2] != "*" || w[3] != "*") return "an operator credential has store and register '*'";
  } else {
    return "kind '" + w[1] + "' must be register or operator";
  }
  c->store_id = w[2];
  c->register_id = w[3];
  const auto verifier = ParseVerifier(w[4]);
  if (!verifier) {
    return "verifier must be sha256: and 64 hex digits (made by `loyalty credentials add`)";
  }
  c->verifier = *verifier;
  if (w.size() == 6) {
    if (w[5] != "revoked") return "the last word may only be 'revoked', got '" + w[5] + "'";
    c->revoked = true;
  }
  return "";
}

}  // namespace

const char* AuthRefusalName(AuthRefusal refusal) {
  switch (refusal) {
    case AuthRefusal::kNone: return "none";
    case AuthRefusal::kMalformed: return "malformed";
    case AuthRefusal::kUnknownKey: return "unknown_key";
    case AuthRefusal::kWrongSecret: return "wrong_secret";
    case AuthRefusal::kRevoked: return "revoked";
  }
  return "unknown";
}

Result<std::shared_ptr<const CredentialBook>> CredentialBook::Parse(std::string_view text,
                                                                    const std::string& source) {
  auto book = std::make_shared<CredentialBook>();
  std::istringstream in{std::string(text)};
  int number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    if (const auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    const std::vector<std::string> words = Words(line);
    if (words.empty()) continue;
    Credential c;
    if (std::string why = ParseLine(words, &c); !why.empty()) {
      return Status::Invalid(source + ":" + std::to_string(number) + ": " + why);
    }
    if (book->by_key_.count(c.key_id) != 0) {
      return Status::Invalid(source + ":" + std::to_string(number) + ": key id '" + c.key_id +
                             "' appears twice");
    }
    if (book->by_key_.size() >= limits::kCredentialsMax) {
      return Status::Invalid(source + ": more than " + std::to_string(limits::kCredentialsMax) +
                             " credentials");
    }
    book->by_key_.emplace(c.key_id, std::move(c));
  }
  return std::shared_ptr<const CredentialBook>(std::move(book));
}

Result<std::shared_ptr<const CredentialBook>> CredentialBook::Load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::IoError("registers file " + path + " cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  return Parse(text.str(), path);
}

const Credential* CredentialBook::Find(std::string_view key_id) const {
  const auto it = by_key_.find(key_id);
  return it == by_key_.end() ? nullptr : &it->second;
}

AuthRefusal CredentialBook::Verify(std::string_view key_id, std::string_view secret,
                                   const Credential** credential) const {
  *credential = nullptr;
  if (!IsId(key_id) || secret.size() != kSecretHexDigits) return AuthRefusal::kMalformed;
  const Credential* c = Find(key_id);
  if (c == nullptr) return AuthRefusal::kUnknownKey;
  if (!SameDigest(Sha256(secret), c->verifier)) {
    return AuthRefusal::kWrongSecret;
  }
  if (c->revoked) return AuthRefusal::kRevoked;
  *credential = c;
  return AuthRefusal::kNone;
}

Result<std::string> MakeSecret() {
  std::array<uint8_t, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    return Status::IoError("the system's random number generator failed");
  }
  return Hex(bytes.data(), bytes.size());
}

Result<ClientCredential> LoadClientCredential(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::IoError("credential file " + path + " cannot be read");
  std::string line;
  std::getline(in, line);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  const auto colon = line.find(':');
  if (colon == std::string::npos || colon == 0 || line.size() - colon - 1 != kSecretHexDigits) {
    return Status::Invalid("credential file " + path +
                           " must hold one line KEY_ID:SECRET (64 hex digits)");
  }
  return ClientCredential{line.substr(0, colon), line.substr(colon + 1)};
}

}  // namespace loyalty::net
