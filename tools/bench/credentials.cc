#include "tools/bench/credentials.h"

#include <sys/stat.h>

#include <fstream>

#include "tools/bench/process.h"

namespace loyalty::bench {
namespace {

bool Openssl(const std::vector<std::string>& args, std::string* error) {
  std::vector<std::string> argv{"openssl"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::string err;
  const int code = RunStatus(argv, &err);
  if (code == 0) return true;
  *error = "openssl " + args.front() + " failed (exit " + std::to_string(code) + "): " + err;
  return false;
}

// A CA and a server certificate signed by it, both EC P-256.
bool MakeCertificates(const std::string& dir, BenchTls* tls, std::string* error) {
  const std::string ca_key = dir + "/ca.key", csr = dir + "/server.csr", ext = dir + "/server.ext";
  tls->ca_file = dir + "/ca.pem";
  tls->cert_file = dir + "/server.pem";
  tls->key_file = dir + "/server.key";
  std::ofstream(ext) << "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                        "basicConstraints=critical,CA:FALSE\n"
                        "keyUsage=critical,digitalSignature\n"
                        "extendedKeyUsage=serverAuth\n";
  const std::vector<std::string> ec{"-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"};
  auto genkey = [&](const std::string& out) {
    std::vector<std::string> args{"genpkey"};
    args.insert(args.end(), ec.begin(), ec.end());
    args.insert(args.end(), {"-out", out});
    return Openssl(args, error) && ::chmod(out.c_str(), 0600) == 0;
  };
  return genkey(ca_key) &&
         Openssl({"req", "-x509", "-new", "-key", ca_key, "-sha256", "-days", "2", "-subj",
                  "/CN=loyalty-bench CA", "-addext", "basicConstraints=critical,CA:TRUE", "-addext",
                  "keyUsage=critical,keyCertSign,cRLSign", "-out", tls->ca_file},
                 error) &&
         genkey(tls->key_file) &&
         Openssl({"req", "-new", "-key", tls->key_file, "-subj", "/CN=localhost", "-out", csr},
                 error) &&
         Openssl(
             {"x509", "-req", "-in", csr, "-CA", tls->ca_file, "-CAkey", ca_key, "-CAcreateserial",
              "-days", "2", "-sha256", "-extfile", ext, "-out", tls->cert_file},
             error);
}

}  // namespace

BenchTls MakeBenchTls(const std::string& dir, std::size_t count, std::string* error) {
  BenchTls tls;
  error->clear();
  if (!MakeCertificates(dir, &tls, error)) return tls;
  tls.registers = dir + "/registers";
  std::ofstream registers(tls.registers);
  registers << "# key_id  kind      store  register  verifier   (loyalty-bench, this run only)\n";
  for (std::size_t i = 0; i < count; ++i) {
    auto secret = net::MakeSecret();
    if (!secret.ok()) {
      *error = secret.status().message();
      return tls;
    }
    const std::string n = std::to_string(i);
    Credential c{"B" + n, std::move(*secret)};
    registers << c.key_id << " register S" << n << " R" << n << " " << net::VerifierText(c.secret)
              << "\n";
    tls.credentials.push_back(std::move(c));
  }
  registers.close();
  if (!registers) *error = "could not write " + tls.registers;
  return tls;
}

}  // namespace loyalty::bench
