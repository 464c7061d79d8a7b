// loyalty-bench's runs (see main.cc for the flags).
#pragma once

#include <string>

#include "tools/bench/driver.h"
#include "tools/bench/workload.h"

namespace loyalty::bench {

struct Options {
  std::string server;  // empty: start one
  int server_pid = 0;
  std::string loyaltyd;
  std::string durability = "sync";
  std::size_t shards = 2;
  int server_cpu = 0, load_cpu = 1;
  PhaseOptions phase;
  WorkloadOptions workload;
  std::string mix = "purchase=85,return=5,redeem=5,lookup=5";
  bool fill = true;
  bool compare = false;
  bool group = false;        // only the single node against the replicated group
  bool outbox_cost = false;  // two servers, without and with the outbox, in alternate rounds
  std::string versus;        // another loyaltyd: this one against it, in alternate rounds
  int rounds = 6;
  double soak = 0;
  std::string replay;    // Online Retail CSV(.gz): replay it instead of the synthetic mix
  bool redis = false;    // the started server publishes to a redis-server the bench starts
  bool webhook = false;  // the started server sends every event out to a receiver the bench runs
  std::string webhook_events = "all";  // which (loyaltyd's webhook_events)
  // The register channel. A started server speaks TLS and authenticates the
  // credentials made for the run (credentials.h), one per connection, unless
  // `plaintext` (register_tls: off, loopback). Against --server: its CA file
  // (none with `plaintext`) and a register credential file.
  bool plaintext = false;
  std::string ca_file;
  std::string credential_file;
};

// One phase (or a soak) as the options say; prints its report. Exit code.
int RunOnce(Options options);

// The comparison of docs/BENCHMARKS.md: the engine durable and not, lookups,
// then db_bench and redis-benchmark with matching keys and value size; prints
// the absolute figures and one `ratio NAME VALUE` line per ratio. The engine
// runs over TLS with authentication; the durable maximum, p99 at half of it
// and lookups are measured again in plaintext (register_tls: off) in the
// same run, for the cost of TLS (tls_*_vs_plaintext ratios).
int RunCompare(Options options);

// The replicated group against a single node, both started at once and
// measured in alternate rounds (each round: the maximum purchase rate of
// each, then p99 at half of it); prints each round and the medians as the
// ratios replicated_sync_vs_single and replicated_p99_at_half_vs_single.
int RunGroupCompare(Options options);
// The outbox's cost (outbox_cost.cc): a server without the outbox and one
// delivering every event to a webhook, in alternate rounds; prints each
// round, the medians and the ratios outbox_events_per_s_vs_without and
// outbox_p99_vs_without.
int RunOutboxCost(Options options);

}  // namespace loyalty::bench
