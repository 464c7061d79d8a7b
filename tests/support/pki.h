// TLS material and register credentials for tests, made once per test
// process in a temp dir (openssl for the CA and the server certificate, the
// net adapter for the credentials): a CA, a server certificate for
// 127.0.0.1/localhost, and a registers file with an operator credential
// ("ops-test"), registers S1-R1 and S1-R2 of store S1 and S2-R1 of store S2.
// Pki() also sets LOYALTY_CA and LOYALTY_CREDENTIAL (the operator) in this
// process's environment, so the CLI children of a test speak TLS with it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "adapters/net/client.h"

namespace loyalty::testing {

struct TestPki {
  std::string dir;
  std::string ca;         // PEM
  std::string cert, key;  // the server's
  std::string registers;  // the registers file
  std::string CredentialFile(const std::string& key_id) const {
    return dir + "/" + key_id + ".key";
  }
};

const TestPki& Pki();
// A new CA and a server certificate signed by it, in `dir` (no registers).
TestPki MakeCertificates(const std::string& dir);

// loyaltyd arguments that serve TLS with the test PKI.
std::vector<std::string> TlsServerArgs();

// TLS against the test CA, Hello as `key_id` (default: the operator).
net::ClientOptions ClientOptionsFor(const std::string& key_id = "ops-test",
                                    int64_t timeout_ms = 5000);
Result<std::unique_ptr<net::Client>> ConnectAs(const std::string& address,
                                               const std::string& key_id = "ops-test",
                                               int64_t timeout_ms = 5000);

}  // namespace loyalty::testing
