#include "tests/support/pki.h"

#include <stdlib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "adapters/net/credentials.h"

namespace loyalty::testing {
namespace {

void Run(const std::string& command) {
  if (std::system((command + " >/dev/null 2>&1").c_str()) != 0) {
    std::fprintf(stderr, "test PKI: failed: %s\n", command.c_str());
    std::abort();
  }
}

}  // namespace

TestPki MakeCertificates(const std::string& dir) {
  TestPki p;
  p.dir = dir;
  p.ca = p.dir + "/ca.pem";
  p.cert = p.dir + "/server.pem";
  p.key = p.dir + "/server.key";
  const std::string d = p.dir;
  const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
  Run("openssl req -x509" + ec + " -keyout " + d + "/ca.key -out " + p.ca +
      " -days 2 -subj /CN=loyalty-test-ca");
  Run("openssl req" + ec + " -keyout " + p.key + " -out " + d + "/server.csr -subj /CN=localhost");
  std::ofstream(d + "/san.ext") << "subjectAltName=IP:127.0.0.1,DNS:localhost\n";
  Run("openssl x509 -req -in " + d + "/server.csr -CA " + p.ca + " -CAkey " + d +
      "/ca.key -CAcreateserial -out " + p.cert + " -days 2 -extfile " + d + "/san.ext");
  return p;
}

namespace {

TestPki Make() {
  char tmpl[] = "/tmp/loyalty-pki-XXXXXX";
  TestPki p = MakeCertificates(::mkdtemp(tmpl));
  p.registers = p.dir + "/registers";
  std::ofstream registers(p.registers);
  struct Entry {
    const char* id;
    const char* kind;
    const char* store;
    const char* reg;
  };
  for (const Entry& e :
       {Entry{"ops-test", "operator", "*", "*"}, Entry{"S1-R1", "register", "S1", "R1"},
        Entry{"S1-R2", "register", "S1", "R2"}, Entry{"S2-R1", "register", "S2", "R1"}}) {
    const std::string secret = net::MakeSecret().value();
    registers << e.id << " " << e.kind << " " << e.store << " " << e.reg << " "
              << net::VerifierText(secret) << "\n";
    std::ofstream(p.CredentialFile(e.id)) << e.id << ":" << secret << "\n";
  }
  registers.close();
  // As `loyalty credentials add` writes it: the verifiers are a secret.
  std::filesystem::permissions(
      p.registers, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  ::setenv("LOYALTY_CA", p.ca.c_str(), 1);
  ::setenv("LOYALTY_CREDENTIAL", p.CredentialFile("ops-test").c_str(), 1);
  return p;
}

}  // namespace

const TestPki& Pki() {
  static const TestPki pki = Make();
  return pki;
}

std::vector<std::string> TlsServerArgs() {
  const TestPki& p = Pki();
  return {"--tls-cert", p.cert, "--tls-key", p.key, "--registers", p.registers};
}

net::ClientOptions ClientOptionsFor(const std::string& key_id, int64_t timeout_ms) {
  net::ClientOptions o;
  o.ca_file = Pki().ca;
  o.timeout_ms = timeout_ms;
  auto credential = net::LoadClientCredential(Pki().CredentialFile(key_id));
  if (credential.ok()) {
    o.key_id = credential->key_id;
    o.secret = credential->secret;
  }
  return o;
}

Result<std::unique_ptr<net::Client>> ConnectAs(const std::string& address,
                                               const std::string& key_id, int64_t timeout_ms) {
  return net::Client::Connect(address, ClientOptionsFor(key_id, timeout_ms));
}

}  // namespace loyalty::testing
