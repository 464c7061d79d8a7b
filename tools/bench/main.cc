// loyalty-bench: load for loyaltyd, and the engine measured against the
// machine's own limits (db_bench, redis-benchmark) in one run.
//
//   loyalty-bench                       start a loyaltyd, fill, run a closed loop
//   loyalty-bench --loop open --rate 5000 --duration 30
//   loyalty-bench --server 127.0.0.1:7070 --server-pid 1234 --ca ca.pem --credential S1-R1.key
//                                       drive a running one
//   loyalty-bench --compare             the whole comparison (docs/BENCHMARKS.md)
//   loyalty-bench --group               a replicated group against one node, alone
//   loyalty-bench --outbox-cost         without and with the outbox, alternate rounds
//   loyalty-bench --versus OTHER        this loyaltyd against another build, alternate rounds
//
// The started server runs on --server-cpu, the load on --load-cpu. It speaks
// TLS with register credentials made for the run (--plaintext: not TLS).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>

#include "tools/bench/process.h"
#include "tools/bench/rounds.h"
#include "tools/bench/suite.h"
#include "tools/build_info/build_info.h"

int main(int argc, char** argv) {
  using namespace loyalty::bench;
  Options o;
  o.loyaltyd = (std::filesystem::path(argv[0]).parent_path() / "loyaltyd").string();
  CLI::App app{"loyalty-bench: load for loyaltyd, compared with the machine's own limits"};
  app.set_version_flag("--version", loyalty::build_info::VersionLine("loyalty-bench"),
                       "print the version, git commit and build type, then exit");
  app.add_option("--server", o.server, "HOST:PORT of a running loyaltyd (default: start one)");
  app.add_option("--server-pid", o.server_pid, "pid of that loyaltyd, for its CPU and RSS");
  app.add_option("--loyaltyd", o.loyaltyd, "the loyaltyd binary to start");
  app.add_option("--durability", o.durability, "for the started server: sync or async");
  app.add_option("--shards", o.shards, "for the started server");
  app.add_option("--server-cpu", o.server_cpu,
                 "CPU for the started server and references (-1: any)");
  app.add_option("--load-cpu", o.load_cpu, "CPU for the load (-1: any)");
  std::string mode = "closed";
  app.add_option("--loop", mode, "closed (max rate) or open (fixed --rate)")
      ->check(CLI::IsMember({"closed", "open"}));
  app.add_option("--connections", o.phase.connections, "connections (default 16)");
  app.add_option("--depth", o.phase.depth,
                 "closed loop: requests in flight per connection (default 8)");
  app.add_option("--rate", o.phase.rate, "open loop: requests per second");
  app.add_option("--duration", o.phase.seconds, "seconds to measure (default 10)");
  app.add_option("--customers", o.workload.customers, "population size (default 100000)");
  app.add_option("--zipf", o.workload.zipf_s, "skew of customer popularity (default 0.99)");
  app.add_option("--mix", o.mix, "purchase=85,return=5,redeem=5,lookup=5");
  app.add_option("--seed", o.workload.seed, "random seed");
  app.add_flag("!--no-fill", o.fill, "skip the first purchase for every customer");
  app.add_option("--soak", o.soak, "sustained run of this many seconds, RSS every 10 s");
  app.add_option("--replay", o.replay,
                 "replay an Online Retail CSV(.gz) (../shared/data) instead of the synthetic mix");
  app.add_flag("--webhook", o.webhook,
               "the started server stages every event in its outbox and POSTs it to a webhook "
               "receiver the bench runs (the outbox's cost)");
  app.add_option("--webhook-events", o.webhook_events,
                 "with --webhook: the event types staged (docs/EVENTS.md), or all");
  app.add_flag("--redis", o.redis,
               "start a redis-server too and report the commit->readable lag of the profile cache");
  app.add_flag("--plaintext", o.plaintext,
               "no TLS: the started server runs register_tls off (loopback); with --server, a "
               "server that does")
      ->envname("LOYALTY_PLAINTEXT");
  app.add_option("--ca", o.ca_file, "with --server: the CA file that signed its certificate")
      ->envname("LOYALTY_CA");
  app.add_option("--credential", o.credential_file,
                 "with --server: a register credential file (KEY_ID:SECRET) for the Hello")
      ->envname("LOYALTY_CREDENTIAL");
  app.add_flag("--group", o.group,
               "only a replicated group (ZooKeeper, primary + sync standby) against one node, "
               "in alternate rounds");
  app.add_flag("--outbox-cost", o.outbox_cost,
               "two servers, without and with the outbox and a webhook, measured in alternate "
               "rounds of --duration (the outbox's cost, docs/BENCHMARKS.md)");
  app.add_option("--versus", o.versus,
                 "another loyaltyd binary: the two builds, same configuration, measured in "
                 "alternate rounds (maximum, then half of it); prints other/this ratios");
  app.add_option("--rounds", o.rounds,
                 "with --outbox-cost, --group or --versus: rounds (default 6)");
  app.add_flag("--compare", o.compare,
               "measure against db_bench and redis-benchmark, print ratios");
  CLI11_PARSE(app, argc, argv);
  o.phase.open_loop = mode == "open";
  if (!ParseMix(o.mix, &o.workload.mix)) {
    std::cerr << "loyalty-bench: --mix '" << o.mix
              << "' is not like purchase=85,return=5,redeem=5,lookup=5\n";
    return 2;
  }
  o.workload.run_id = "b" + std::to_string(::getpid());
  PinToCpu(o.load_cpu);
  if (o.group) return RunGroupCompare(o);
  if (o.outbox_cost) return RunOutboxCost(o);
  if (!o.versus.empty()) return RunVersus(o);
  return o.compare ? RunCompare(o) : RunOnce(o);
}
