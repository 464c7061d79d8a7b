// How the CLI reaches a register listener: TLS verified against --ca, the
// Hello with --credential (KEY_ID:SECRET file), or --plaintext for a server
// with register_tls: off. Each flag falls back to its LOYALTY_* variable.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "adapters/net/client.h"

namespace loyalty::cli {

struct Channel {
  std::string ca;          // --ca / LOYALTY_CA
  std::string credential;  // --credential / LOYALTY_CREDENTIAL
  bool plaintext = false;  // --plaintext / LOYALTY_PLAINTEXT=1
};

void AddChannelOptions(CLI::App& app, Channel& channel);

// The client options for `channel`, the credential file read; a clear
// message when something is missing.
Result<net::ClientOptions> MakeClientOptions(const Channel& channel, int64_t timeout_ms);

}  // namespace loyalty::cli
