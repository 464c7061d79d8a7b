#include "tools/loyaltyd/config.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>

#include "adapters/net/verifier.h"

namespace loyalty {
namespace {

struct FlagSpec {
  const char* key;
  const char* help;
};

// The options that have a flag; every option has a LOYALTY_* variable and a
// config file key (deploy/loyaltyd.example.yaml).
constexpr FlagSpec kFlags[] = {
    {"listen", "HOST:PORT to serve registers on (port 0: any free port)"},
    {"data_dir", "directory of the RocksDB database"},
    {"rules", "rules file (YAML) used when the store has no active rule set; SIGHUP re-reads it"},
    {"shards", "writer threads, 1..64"},
    {"durability",
     "sync: fsync before every reply (default); async: a machine crash may lose the "
     "last acknowledged events"},
    {"register_tls", "on (default): registers speak TLS; off: plaintext, loopback listen only"},
    {"tls_cert", "PEM certificate chain of the register listener; SIGHUP re-reads it"},
    {"tls_key", "PEM private key of tls_cert; SIGHUP re-reads it"},
    {"registers",
     "register credentials file (KEY_ID KIND STORE REGISTER sha256:..); SIGHUP re-reads it"},
    {"lookups_per_second", "lookups a second per credential (default 20, burst lookup_burst)"},
    {"lookup_burst", "lookups one credential may make at once (default 100)"},
    {"connections_per_credential_max", "register connections per credential (default 16)"},
    {"connections_max", "authenticated register connections in all (default 1024)"},
    {"reply_bytes_total_max",
     "unread reply bytes of all register connections (default 64 MiB); beyond, the "
     "connections over their share are cut"},
    {"redis", "HOST:PORT of Redis for hot profile snapshots (default: none, no cache)"},
    {"admin_listen", "HOST:PORT of the admin HTTP API (default 127.0.0.1:7071; off: none)"},
    {"log_format", "text (default) or json (one object a line)"},
    {"drain_delay_ms", "after SIGTERM, stay unready but serving this long (default 0)"},
    {"store_lock_wait_ms", "wait this long for another process to free the store (default 0)"},
    {"clock",
     "system (default), or event: now is the latest event time seen, never going back "
     "(for loading past sales as they happened)"},
    {"rfm_interval_ms",
     "recompute the RFM quantiles this often (default 3600000; 0: startup, on demand and after "
     "bulk loads)"},
    {"sweep_interval_ms",
     "look for expired and soon-expiring points and tier reviews this often (default 3600000)"},
    {"txn_retention_days",
     "keep each transaction record (retries, returns) at least this long (default 90; 0: "
     "for ever)"},
    {"zookeeper",
     "HOST:PORT,... of the ZooKeeper ensemble of a replicated group (default: none, one node)"},
    {"node_id", "this node's name in its group (required with zookeeper)"},
    {"advertise",
     "HOST:PORT registers reach this node at, named to them by standbys (default: "
     "listen)"},
    {"replication_listen", "HOST:PORT standbys pull this node's batches from (with zookeeper)"},
    {"replication", "sync (default): a reply waits until a standby has the batch on disk; async"},
    {"replication_advertise", "HOST:PORT peers reach replication_listen at (default: it)"},
    {"replication_secret_file",
     "the group's shared secret (32+ characters), the same on every node"},
    {"replication_tls",
     "on (default): TLS between nodes, checked against replication_ca; off: loopback only"},
    {"replication_ca", "PEM: the CA of the nodes' certificates (replication_tls on)"},
    {"standby_lookups",
     "on: a standby answers lookups from its copy, saying how far it had got; off (default): "
     "NOT_PRIMARY"},
    {"zookeeper_root", "the group's znode (default /loyalty)"},
    {"zookeeper_session_ms",
     "ZooKeeper session timeout (default 6000): a dead primary is replaced after about this long"},
};

// The config file may hold admin tokens: other users of the machine should
// not read it. A warning, not a refusal: a file holding only verifiers, or
// mounted read-only by a container runtime, may well be readable.
void WarnIfReadableByOthers(const std::string& path, std::vector<std::string>& warnings) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || (st.st_mode & (S_IRGRP | S_IROTH)) == 0) return;
  warnings.push_back("config file " + path + " is readable by " +
                     ((st.st_mode & S_IROTH) != 0 ? "every user" : "its group") +
                     " of this machine, and may hold admin tokens: chmod 600 it, and keep "
                     "tokens as sha256:<hex> verifiers (docs/SECURITY.md)");
}

std::string FlagName(const std::string& key) {
  std::string name = "--" + key;
  for (char& c : name) c = c == '_' ? '-' : c;
  return name;
}

}  // namespace

void AddConfigFlags(CLI::App& app, Flags& flags) {
  app.add_option("--config", flags.config_path, "YAML config file (environment and flags win)");
  for (const FlagSpec& f : kFlags) {
    flags.given[f.key] = app.add_option(FlagName(f.key), flags.values[f.key], f.help);
  }
  app.add_flag("--check-config", flags.check_config, "validate the configuration and exit");
  app.add_flag("--print-config", flags.print_config,
               "print the effective configuration (secrets redacted) and exit");
}

config_file::Config BuildConfig(Flags& flags, char** environment, config_file::Problems& problems) {
  config_file::Config config;
  if (!flags.config_path.empty()) {
    config = config_file::LoadFile(flags.config_path, problems);
    WarnIfReadableByOthers(flags.config_path, flags.warnings);
  }
  std::vector<std::string> env;
  for (char** e = environment; e && *e; ++e) env.emplace_back(*e);
  std::vector<std::string> unknown;
  config_file::ApplyEnvironment(config, env, &unknown, problems);
  for (const auto& name : unknown) {
    // The CLI's own variables (tools/loyalty/channel.h) are often set in
    // the same shell: they are not a mistake.
    if (name == "LOYALTY_CA" || name == "LOYALTY_CREDENTIAL" || name == "LOYALTY_PLAINTEXT" ||
        name == "LOYALTY_ADMIN_TOKEN") {
      continue;
    }
    flags.warnings.push_back("environment variable " + name + " is not a loyaltyd option; ignored");
  }
  for (const FlagSpec& f : kFlags) {
    if (flags.given[f.key]->count() == 0) continue;
    const std::string& value = flags.values[f.key];
    if (Status s = config_file::Set(config, f.key, value, FlagName(f.key) + " " + value); !s.ok()) {
      problems.push_back(s.message());
    }
  }
  // Cross-option checks on what the sources made (an option with a bad value
  // kept a valid one, so nothing is reported twice).
  for (std::string& p : config_file::ValidateAll(config)) problems.push_back(std::move(p));
  return config;
}

std::string TokenVerifiers(const config_file::Config& config) {
  std::string out;
  for (const auto& t : config.admin_tokens) {
    const auto given = net::ParseVerifier(t.token);
    if (!out.empty()) out += ",";
    out += t.name + ":" + t.role + ":" + (given ? t.token : net::VerifierText(t.token));
  }
  return out;
}

http::TokenTable TakeTokens(config_file::Config& config) {
  std::vector<http::TokenEntry> entries;
  for (auto& t : config.admin_tokens) {
    const auto given = net::ParseVerifier(t.token);  // validated: a verifier or a secret
    entries.push_back({t.name, *http::ParseRole(t.role), given ? *given : net::Sha256(t.token)});
    std::fill(t.token.begin(), t.token.end(), '\0');
    t.token.clear();
    t.token.shrink_to_fit();
  }
  ::unsetenv("LOYALTY_ADMIN_TOKENS");  // nor handed to any child process
  return http::TokenTable(std::move(entries));
}

}  // namespace loyalty
