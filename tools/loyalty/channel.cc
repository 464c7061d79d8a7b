#include "tools/loyalty/channel.h"

#include <cstdlib>

#include "adapters/net/credentials.h"

namespace loyalty::cli {
namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? "" : v;
}

}  // namespace

void AddChannelOptions(CLI::App& app, Channel& channel) {
  app.add_option("--ca", channel.ca,
                 "CA certificate (PEM) that signed the server's (default: LOYALTY_CA)");
  app.add_option("--credential", channel.credential,
                 "register credential file KEY_ID:SECRET (default: LOYALTY_CREDENTIAL)");
  app.add_flag("--plaintext", channel.plaintext,
               "no TLS, for a server with register_tls: off on loopback (LOYALTY_PLAINTEXT=1)");
}

Result<net::ClientOptions> MakeClientOptions(const Channel& channel, int64_t timeout_ms) {
  net::ClientOptions o;
  o.timeout_ms = timeout_ms;
  o.client = "loyalty-cli";
  o.tls = !(channel.plaintext || Env("LOYALTY_PLAINTEXT") == "1");
  o.ca_file = channel.ca.empty() ? Env("LOYALTY_CA") : channel.ca;
  const std::string path =
      channel.credential.empty() ? Env("LOYALTY_CREDENTIAL") : channel.credential;
  if (path.empty()) {
    return Status::Invalid(
        "no register credential: pass --credential FILE or set LOYALTY_CREDENTIAL (tools/dev.sh "
        "run prints them; `loyalty credentials add` makes one)");
  }
  auto credential = net::LoadClientCredential(path);
  if (!credential.ok()) return credential.status();
  o.key_id = credential->key_id;
  o.secret = credential->secret;
  return o;
}

}  // namespace loyalty::cli
