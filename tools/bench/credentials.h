// What the benchmark's own loyaltyd and its connections need to speak the
// secure register channel (spec of issue 12): a throwaway CA, a server
// certificate for 127.0.0.1 / localhost signed by it, a registers file of
// verifiers and the matching register credentials, one per connection, as a
// real till would have. Everything lives in the run's temp dir and is
// removed with it; nothing here is fit for production (2-day certificates).
#pragma once

#include <string>
#include <vector>

#include "adapters/net/credentials.h"

namespace loyalty::bench {

using Credential = net::ClientCredential;

struct BenchTls {
  std::string ca_file;    // PEM, for the clients
  std::string cert_file;  // server certificate (SAN IP:127.0.0.1, DNS:localhost)
  std::string key_file;   // its key (0600)
  std::string registers;  // the server's registers file (verifiers only)
  std::vector<Credential> credentials;
};

// Makes it all under `dir` with the `openssl` program (certificates) and
// the net adapter (secrets, verifiers): `count` register credentials "B<i>"
// of store S<i>, register R<i>. Empty `error` on success.
BenchTls MakeBenchTls(const std::string& dir, std::size_t count, std::string* error);

}  // namespace loyalty::bench
