// The pieces of loyalty-bench's runs (suite.cc, outbox_cost.cc): a server
// the bench starts, the channel it speaks, a measured phase and its report.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "tools/bench/credentials.h"
#include "tools/bench/driver.h"
#include "tools/bench/process.h"
#include "tools/bench/suite.h"
#include "tools/bench/workload.h"

namespace loyalty::bench {

double Ms(uint64_t nanos);
// The middle value (the mean of the middle two); 0 for none.
double Median(std::vector<double> v);

struct Measured {
  PhaseResult r;
  double cpu_us_per_event = 0;
  double mean_group = 0;
  uint64_t rss = 0;
};

void Print(const std::string& name, const Measured& m);
// Runs a phase against the server, with the server's CPU, group size and RSS.
Measured Measure(PhaseOptions phase, Workload& w, pid_t pid, Server* server);
std::string TempDir();

// How the started servers and the phases speak: TLS (or not) and the run's
// register credentials.
struct Channel {
  BenchTls tls;
  bool plaintext = false;
};

// Connections of the tills phase: each a till with its own credential.
constexpr std::size_t kTills = 1000;

// The run's CA, server certificate and credentials (one per connection of
// the widest phase, the tills), under `dir`.
bool MakeChannel(const std::string& dir, bool plaintext, Channel* channel);
// The phase speaks the channel: TLS unless plaintext, a Hello on each connection.
PhaseOptions Over(const Channel& channel, PhaseOptions phase);
// A loyaltyd on the bench's rules, pinned to o.server_cpu; `more` arguments
// added; `node` names its data directory apart from others in `dir`.
std::unique_ptr<Server> StartServer(const Options& o, const std::string& dir,
                                    const std::string& durability, const Channel& channel,
                                    const std::vector<std::string>& more = {},
                                    const std::string& node = "",
                                    const std::string& listen = "127.0.0.1:0",
                                    const std::string& admin_listen = "127.0.0.1:0");
// Waits until the server's own background work (RocksDB flushes and
// compactions after a write-heavy phase, the outbox's backlog) has settled:
// less than 5% of a CPU over half a second, or 60 s at most. Each phase then
// measures the engine, not the previous phase's debt.
void Quiesce(pid_t pid);
// Writes the config that sends the started server's events (`events`: the
// types, or all) to `url`, signed with a bench secret, under `dir`; the
// arguments that load it.
std::vector<std::string> WebhookConfig(const std::string& dir, const std::string& url,
                                       const std::string& events);
// A workload of the run's options with another mix; `tag` keeps its
// transaction ids apart from other phases'.
Workload Only(const Options& o, const char* mix, const std::string& tag);
// The closed loop that finds the maximum rate: 16 connections x 32 in flight.
PhaseOptions MaxPhase(const Options& o, const Channel& channel);
// Fills the population (one purchase each) so every customer has state.
void Fill(const Options& o, Workload& w, const PhaseOptions& channel_phase, uint16_t port);

}  // namespace loyalty::bench
