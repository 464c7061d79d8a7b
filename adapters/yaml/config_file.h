// The server's configuration: defaults, then a YAML file, then LOYALTY_*
// environment variables, then flags (loyaltyd/main.cc applies them in that
// order, so a flag beats the environment, which beats the file).
//
// Every option has a default, so an empty file is valid. Every option is set
// from its text form through one function (Set), whatever the source, so a
// bad value gets the same reason from a file, the environment or a flag:
//   "loyaltyd.yaml:3: shards must be a whole number from 1 to 64"
//   "LOYALTY_SHARDS=0: shards must be a whole number from 1 to 64"
//   "--shards 0: shards must be a whole number from 1 to 64"
// Unknown keys in the file are refused; unknown LOYALTY_* variables are
// returned as warnings (other programs share the prefix).
//
// Every problem is reported, not only the first (`Problems`): a file with
// three mistakes gets three lines. The Status forms return the first.
//
// Listen addresses (listen, admin_listen) are IP addresses with a port:
// 127.0.0.1:7070, 0.0.0.0:7070, [::1]:7070, [::]:7070. A host name
// (localhost) is refused here, so that --check-config and startup agree;
// redis may be a name.
//
// Thread safety: plain values and pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/limits.h"
#include "engine/status.h"

namespace loyalty::config_file {

// A bearer token of the admin API. Roles: viewer, cashier, editor,
// publisher, admin (adapters/http/auth.h says what each may do).
struct AdminToken {
  std::string name;  // who, as written in the audit log
  std::string role;  // viewer | cashier | editor | publisher | admin
  // The secret (16..256 bytes, at least kTokenCharactersMin different
  // characters), or better its verifier "sha256:<64 hex>" (`loyalty
  // credentials hash`... or `printf %s SECRET | sha256sum`); never printed.
  std::string token;
  friend bool operator==(const AdminToken&, const AdminToken&) = default;
};

// A token secret with fewer different characters is refused as guessable.
inline constexpr std::size_t kTokenCharactersMin = 8;

struct Config {
  std::string listen = "127.0.0.1:7070";  // registers connect here
  std::string data_dir = "./var";         // RocksDB directory
  std::string rules;                      // rules file; empty: built-in defaults
  std::size_t shards = 2;                 // writer threads, 1..64
  std::string durability = "sync";        // sync | async
  std::size_t connections_max = limits::kConnectionsDefaultMax;
  std::size_t inflight_max = limits::kInflightPerConnectionDefaultMax;  // per connection
  int64_t read_timeout_ms = 10'000;
  int64_t idle_timeout_ms = 300'000;
  // The register channel (docs/SECURITY.md): TLS on (certificate and key,
  // PEM) unless `off`, which is allowed on a loopback listen address only.
  std::string register_tls = "on";  // on | off
  std::string tls_cert;
  std::string tls_key;
  std::string registers;  // the credentials' verifiers (loyalty credentials add); required
  std::size_t connections_per_credential_max = limits::kConnectionsPerCredentialDefaultMax;
  std::size_t unauthenticated_connections_max = limits::kUnauthenticatedDefaultMax;
  std::size_t unauthenticated_per_address_max = limits::kUnauthenticatedPerAddressDefaultMax;
  int64_t auth_timeout_ms = limits::kAuthTimeoutDefaultMs;        // accept to Welcome
  int64_t lookups_per_second = limits::kLookupsPerSecondDefault;  // per credential
  int64_t lookup_burst = limits::kLookupBurstDefault;
  std::size_t reply_bytes_total_max = limits::kReplyBytesTotalDefaultMax;  // all connections
  int64_t drain_delay_ms = 0;      // after SIGTERM, unready but serving this long
  int64_t store_lock_wait_ms = 0;  // wait this long for another process to free the store
  // system: now is the machine's clock; event: the latest event time seen,
  // never going back (for loading past sales as they happened).
  std::string clock = "system";
  // The RFM job recomputes the population quantiles this often (and at
  // startup); 0: only at startup and on demand (POST /v1/rfm/recompute).
  int64_t rfm_interval_ms = 3'600'000;
  // The sweep (points expiring and expired, tier reviews, expiring-points
  // notices) looks at every customer this often.
  int64_t sweep_interval_ms = 3'600'000;
  // Transaction records (the stored reply a retry gets, what a return
  // matches) are kept at least this long, then pruned as RocksDB compacts;
  // 0: kept for ever (DESIGN.md §6).
  int64_t txn_retention_days = 90;
  // Events out (engine/outbox.h, docs/EVENTS.md "Events out"): POSTed as
  // CloudEvents batches to webhook_url (http:// or https://), signed with
  // the secret in webhook_secret_file (HMAC-SHA256); webhook_events lists
  // the types staged and sent ("all", or comma-separated). A batch failing
  // webhook_max_tries times in a row goes to the dead letters. Empty url: no
  // outbox, nothing staged.
  std::string webhook_url;
  std::string webhook_secret_file;
  std::string webhook_events = "all";
  int64_t webhook_max_tries = 12;
  int64_t webhook_timeout_ms = 10'000;
  // Events out to a Redis stream too (XADD, bounded by events_redis_maxlen),
  // on the `redis` server; empty: none. With a stream every type is staged
  // (the webhook still gets only webhook_events).
  std::string events_redis_stream;
  int64_t events_redis_maxlen = 1'000'000;
  // Hot profile cache (adapters/redis). Empty address: no cache.
  std::string redis;                          // HOST:PORT
  std::string redis_key_prefix = "loyalty:";  // at most 64 bytes
  int64_t redis_connect_timeout_ms = 100;     // 1..60000
  int64_t redis_command_timeout_ms = 100;     // 1..60000, per pipelined round trip
  int64_t redis_ttl_s = 2'592'000;            // 30 days; 0: keys never expire
  std::size_t redis_backlog_max = 65'536;     // snapshots queued for Redis
  std::size_t redis_dirty_max = 100'000;      // customers remembered while Redis is away
  // Admin HTTP (adapters/http). "off": no admin listener.
  std::string admin_listen = "127.0.0.1:7071";
  std::vector<AdminToken> admin_tokens;
  std::size_t admin_connections_max = 64;
  std::size_t admin_header_bytes_max = 8192;
  std::size_t admin_body_bytes_max = 1 << 20;
  int64_t admin_timeout_ms = 10'000;  // to read a request, and to answer it
  // Backups (docs/OPERATIONS.md): the default destination of POST /v1/backups
  // and of scheduled backups (every backup_interval_ms; 0: none), keeping the
  // newest backup_keep there; also where the backup before a schema
  // migration goes (empty: <data_dir>/pre-migration-backups).
  std::string backup_dir;
  int64_t backup_interval_ms = 0;
  std::size_t backup_keep = 7;
  // The disk reserve (adapters/rocksdb/disk_guard.h): writes are refused while
  // less than this is free on the data disk, and a ballast file of this size
  // keeps room to restart. 0: none.
  std::size_t disk_reserve_bytes = 256 << 20;
  // HTTPS on the admin listener: on needs a certificate, admin_tls_cert and
  // admin_tls_key, or else the register channel's tls_cert and tls_key.
  std::string admin_tls = "off";  // off | on
  std::string admin_tls_cert;
  std::string admin_tls_key;
  // Four eyes hold for every role: a draft is activated by someone other than
  // its author. "on" lets an admin activate their own draft (audited as such).
  std::string admin_self_approval = "off";  // off | on
  std::size_t rules_drafts_max = 100;       // drafts waiting at once; beyond, uploads refused
  // A data set (the Online Retail CSV, or an events file) marketers may
  // simulate rule sets on from the console; empty: none.
  std::string simulate_data;
  // A replicated group (docs/OPERATIONS.md "A replicated group"): empty
  // zookeeper, one node as before. Otherwise the nodes elect a primary in
  // ZooKeeper under zookeeper_root; the others are standbys that copy its
  // batches (pulled from replication_listen) and answer registers
  // NOT_PRIMARY naming it. replication sync: a reply waits until a standby
  // has the batch on disk; async: it does not (a failover may lose the
  // last acknowledged sales). Peers prove the secret in
  // replication_secret_file (the same file on every node) over TLS.
  std::string zookeeper;  // HOST:PORT,HOST:PORT,...
  std::string zookeeper_root = "/loyalty";
  int64_t zookeeper_session_ms = 6'000;
  std::string node_id;
  std::string advertise;  // the register address peers name; default: listen
  std::string replication_listen;
  std::string replication_advertise;  // default: replication_listen
  std::string replication = "sync";   // sync | async
  // sync: how long a commit waits for a standby's acknowledgement before it
  // is answered UNAVAILABLE (the register retries; nothing is lost).
  int64_t replication_ack_timeout_ms = 2'000;
  std::string replication_secret_file;
  // on: replication speaks TLS, served with tls_cert/tls_key, the peer's
  // certificate checked against replication_ca; off: loopback only.
  std::string replication_tls = "on";  // on | off
  std::string replication_ca;
  // on: a standby answers register lookups from its own copy (each answer
  // says how far the copy had got); off: NOT_PRIMARY, like every request.
  std::string standby_lookups = "off";  // on | off
  // Logs (stderr): text for people, json for collectors (one object a line).
  std::string log_format = "text";
};

// One sentence each, naming the option, where it came from and why.
using Problems = std::vector<std::string>;

// Sets option `key` from its text form. `where` starts the message on error
// ("LOYALTY_SHARDS=0", "--shards 0", "loyaltyd.yaml:3").
Status Set(Config& config, std::string_view key, const std::string& value,
           const std::string& where);

// Defaults overlaid with the file (or a file's text; `path` names it in
// messages); the options with a bad value keep their default and add to
// `problems`.
Config LoadFile(const std::string& path, Problems& problems);
Config Parse(std::string_view text, const std::string& path, Problems& problems);
Result<Config> LoadFile(const std::string& path);  // the first problem
Result<Config> Parse(std::string_view text, const std::string& path);

// Overlays LOYALTY_<KEY> variables of `environ`-style entries ("NAME=value").
// Returns the names of LOYALTY_* variables that are no option, in `unknown`.
void ApplyEnvironment(Config& config, const std::vector<std::string>& environment,
                      std::vector<std::string>* unknown, Problems& problems);
Status ApplyEnvironment(Config& config, const std::vector<std::string>& environment,
                        std::vector<std::string>* unknown);  // the first problem

// Checks what one option alone cannot: addresses, tokens (unique names and
// secrets, known roles), the register channel.
Problems ValidateAll(const Config& config);
Status Validate(const Config& config);  // the first problem

// "127.0.0.1:7070" -> {"127.0.0.1", 7070}; "[::1]:0" -> {"::1", 0}; false when
// the host is not an IP address or the port not 0..65535.
bool SplitListenAddress(const std::string& text, std::string* host, uint16_t* port);

// The effective configuration as a YAML file, tokens' secrets redacted.
std::string Print(const Config& config);

// "admin_listen" -> "LOYALTY_ADMIN_LISTEN".
std::string EnvironmentName(std::string_view key);

}  // namespace loyalty::config_file
