// The registers file the Hello target verifies against, with the secrets
// (made up for the fuzz targets, never used elsewhere), shared with the
// corpus generator so that the seeds hold Hellos that succeed.
#pragma once

#include <string>

#include "adapters/net/credentials.h"

namespace loyalty::fuzz {

struct SeedCredential {
  const char* key_id;
  const char* kind;
  const char* store_id;
  const char* register_id;
  const char* secret;
  bool revoked;
};

inline constexpr SeedCredential kSeedCredentials[] = {
    {"S1-R1", "register", "S1", "R1",
     "3f9a0c1d2e3f405162738495a6b7c8d9eafb0c1d2e3f405162738495a6b7c8d9", false},
    {"ops-1", "operator", "*", "*",
     "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", false},
    {"S2-R9", "register", "S2", "R9",
     "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210", true},
};

// The registers file of kSeedCredentials, as `loyalty credentials add` writes it.
inline std::string SeedRegistersFile() {
  std::string text = "# key_id  kind  store  register  verifier  [revoked]\n";
  for (const SeedCredential& c : kSeedCredentials) {
    text += std::string(c.key_id) + " " + c.kind + " " + c.store_id + " " + c.register_id + " " +
            net::VerifierText(c.secret) + (c.revoked ? " revoked\n" : "\n");
  }
  return text;
}

}  // namespace loyalty::fuzz
