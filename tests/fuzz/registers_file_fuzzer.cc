// Fuzz target: the registers file parser (CredentialBook::Parse). The input
// is the file's text, any bytes: an operator edits it by hand, and loyaltyd
// reloads it on SIGHUP while serving.
//
// A file that parses is written back one canonical line per credential and
// parsed again: the same credentials come back, each findable by its key id,
// and a Hello with the secret "0" x 64 is accepted exactly by a credential
// whose verifier is that secret's and that is not revoked. A file refused
// says where: the message starts with the file's name.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/net/credentials.h"
#include "engine/check.h"
#include "engine/limits.h"

namespace loyalty::net {
namespace {

constexpr const char* kSource = "registers";

// The key ids of the lines that are not blank or comments, in file order.
std::vector<std::string> KeyIds(std::string_view text) {
  std::vector<std::string> ids;
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) {
    if (const auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    std::istringstream words(line);
    if (std::string first; words >> first) ids.push_back(first);
  }
  return ids;
}

std::string Hex(const std::array<uint8_t, 32>& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (const uint8_t b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 0xf];
  }
  return out;
}

std::string Line(const Credential& c) {
  return c.key_id + (c.kind == CredentialKind::kOperator ? " operator " : " register ") +
         c.store_id + " " + c.register_id + " sha256:" + Hex(c.verifier) +
         (c.revoked ? " revoked\n" : "\n");
}

void CheckVerify(const CredentialBook& book, const Credential& c) {
  static const std::string secret(64, '0');
  static const std::string verifier = VerifierText(secret);
  const Credential* found = nullptr;
  const AuthRefusal refusal = book.Verify(c.key_id, secret, &found);
  const bool matches = "sha256:" + Hex(c.verifier) == verifier;
  LOYALTY_CHECK((refusal == AuthRefusal::kNone) == (matches && !c.revoked));
  LOYALTY_CHECK((found == &c) == (refusal == AuthRefusal::kNone));
}

}  // namespace
}  // namespace loyalty::net

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace loyalty;
  using namespace loyalty::net;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = CredentialBook::Parse(text, kSource);
  if (!parsed.ok()) {
    LOYALTY_CHECK(parsed.status().message().rfind(kSource, 0) == 0);
    return 0;
  }
  const CredentialBook& book = *parsed.value();
  const std::vector<std::string> ids = KeyIds(text);
  LOYALTY_CHECK(book.size() == ids.size() && book.size() <= limits::kCredentialsMax);
  std::string canonical;
  for (const std::string& id : ids) {
    const Credential* c = book.Find(id);
    LOYALTY_CHECK(c != nullptr && c->key_id == id);
    CheckVerify(book, *c);
    canonical += Line(*c);
  }
  auto again = CredentialBook::Parse(canonical, kSource);
  LOYALTY_CHECK(again.ok() && again.value()->size() == book.size());
  for (const std::string& id : ids) {
    const Credential* a = book.Find(id);
    const Credential* b = again.value()->Find(id);
    LOYALTY_CHECK(b != nullptr && Line(*a) == Line(*b));
  }
  return 0;
}
