// `loyalty credentials add|revoke|list`: the registers file that loyaltyd
// reads (its verifiers) and the credential file a till keeps (its secret).
//   add    --registers FILE --key-id ID --store S --register R [--kind register|operator]
//          --out DIR      appends the verifier, writes DIR/ID.key (0600), prints the id
//   revoke --registers FILE --key-id ID     marks it revoked (then SIGHUP loyaltyd)
//   list   --registers FILE                 ids, kinds, stores, registers, state
// The secret is written only to the .key file and never printed or logged.
#pragma once

#include <CLI/CLI.hpp>

namespace loyalty::cli {

class CredentialsCommand {
 public:
  explicit CredentialsCommand(CLI::App& app);
  // -1 when the command was not chosen, else its exit code.
  int Run(bool json);

 private:
  CLI::App* add_ = nullptr;
  CLI::App* revoke_ = nullptr;
  CLI::App* list_ = nullptr;
  std::string registers_, key_id_, store_, register_id_, kind_ = "register", out_ = ".";
};

}  // namespace loyalty::cli
