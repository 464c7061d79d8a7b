#include "tools/bench/phase_kit.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

namespace loyalty::bench {
namespace {

// A program the benchmark's own server runs: points spendable at once, so
// redemptions in the mix mostly succeed.
constexpr const char* kBenchRules = R"(name: bench
version: 1
program:
  currency: %s
  points_per_unit: 1
  exclude_categories: [gift-cards, tobacco]
  pending_days: 0
  expiry: { policy: rolling, days: 365 }
  redemption: { point_value_minor: 1, min_points: 0, max_share_of_basket: 0.5 }
)";

}  // namespace

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double Ms(uint64_t nanos) { return static_cast<double>(nanos) / 1e6; }

void Print(const std::string& name, const Measured& m) {
  const PhaseResult& r = m.r;
  std::printf("phase %-22s %9.0f events/s  answered %llu  errors %llu  failed %llu\n", name.c_str(),
              r.rate(), static_cast<unsigned long long>(r.answered),
              static_cast<unsigned long long>(r.errors), static_cast<unsigned long long>(r.failed));
  std::printf("  latency ms  p50 %.3f  p99 %.3f  p99.9 %.3f  max %.3f\n", Ms(r.all.Quantile(0.5)),
              Ms(r.all.Quantile(0.99)), Ms(r.all.Quantile(0.999)), Ms(r.all.MaxNanos()));
  for (int k = 0; k < kKinds; ++k) {
    const Histogram& h = r.by_kind[static_cast<std::size_t>(k)];
    if (h.count() == 0 || h.count() == r.all.count()) continue;
    std::printf("  %-9s n %-8llu p50 %.3f  p99 %.3f\n", KindName(static_cast<Kind>(k)),
                static_cast<unsigned long long>(h.count()), Ms(h.Quantile(0.5)),
                Ms(h.Quantile(0.99)));
  }
  std::printf("  server: %.1f cpu us/event  mean commit group %.1f  rss %.1f MiB\n",
              m.cpu_us_per_event, m.mean_group, static_cast<double>(m.rss) / (1 << 20));
  std::string outcomes;
  for (const auto& [k, v] : r.outcomes) outcomes += " " + k + "=" + std::to_string(v);
  std::printf("  outcomes:%s\n", outcomes.c_str());
  if (!r.connect_error.empty()) std::printf("  connections failed: %s\n", r.connect_error.c_str());
  std::fflush(stdout);
}

// Runs a phase against the server, with the server's CPU, group size and RSS.
Measured Measure(PhaseOptions phase, Workload& w, pid_t pid, Server* server) {
  std::map<std::string, uint64_t> before =
      server ? server->Stats() : std::map<std::string, uint64_t>{};
  const ProcSample p0 = pid > 0 ? SampleProc(pid) : ProcSample{};
  Measured m;
  m.r = RunPhase(phase, w);
  const ProcSample p1 = pid > 0 ? SampleProc(pid) : ProcSample{};
  if (m.r.answered > 0 && pid > 0) {
    m.cpu_us_per_event = static_cast<double>(p1.cpu_micros - p0.cpu_micros) / m.r.answered;
  }
  m.rss = p1.rss_bytes;
  if (server) {
    auto after = server->Stats();
    const double groups = static_cast<double>(after["groups"] - before["groups"]);
    if (groups > 0)
      m.mean_group =
          static_cast<double>(after["grouped_events"] - before["grouped_events"]) / groups;
  }
  return m;
}

std::string TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "loyalty-bench-XXXXXX").string();
  return ::mkdtemp(pattern.data());
}

// The run's CA, server certificate and credentials (one per connection of
// the widest phase, the tills), under `dir`.
bool MakeChannel(const std::string& dir, bool plaintext, Channel* channel) {
  std::string error;
  channel->tls = MakeBenchTls(dir, kTills, &error);
  channel->plaintext = plaintext;
  if (error.empty()) return true;
  std::cerr << "loyalty-bench: " << error << "\n";
  return false;
}

// The phase speaks the channel: TLS unless plaintext, a Hello on each connection.
PhaseOptions Over(const Channel& channel, PhaseOptions phase) {
  phase.ca_file = channel.plaintext ? "" : channel.tls.ca_file;
  phase.credentials = channel.tls.credentials;
  return phase;
}

std::unique_ptr<Server> StartServer(const Options& o, const std::string& dir,
                                    const std::string& durability, const Channel& channel,
                                    const std::vector<std::string>& more, const std::string& node,
                                    const std::string& listen, const std::string& admin_listen) {
  const std::string rules = dir + "/bench-rules.yaml";
  char text[1024];
  std::snprintf(text, sizeof text, kBenchRules, o.replay.empty() ? "EUR" : "GBP");
  std::ofstream(rules) << text;
  const std::string name = durability + (channel.plaintext ? "-plaintext" : "") + node;
  auto s = std::make_unique<Server>(
      o.loyaltyd, dir + "/db-" + name,
      [&] {
        std::vector<std::string> args{"--rules",  rules,      "--durability",
                                      durability, "--shards", std::to_string(o.shards)};
        // The bench is the load, not an attack: no lookup rate limit in the way.
        args.insert(args.end(), {"--registers", channel.tls.registers, "--lookups-per-second",
                                 "1000000", "--lookup-burst", "1000000"});
        if (channel.plaintext) {
          args.insert(args.end(), {"--register-tls", "off"});
        } else {
          args.insert(args.end(),
                      {"--tls-cert", channel.tls.cert_file, "--tls-key", channel.tls.key_file});
        }
        args.insert(args.end(), more.begin(), more.end());
        return args;
      }(),
      o.server_cpu, listen, admin_listen);
  if (!s->ok()) std::cerr << "loyalty-bench: could not start " << o.loyaltyd << "\n";
  return s;
}

std::vector<std::string> WebhookConfig(const std::string& dir, const std::string& url,
                                       const std::string& events) {
  std::ofstream(dir + "/webhook.secret") << "bench-secret-0123456789abcdef\n";
  std::ofstream(dir + "/webhook.yaml") << "webhook_url: " << url << "\nwebhook_secret_file: " << dir
                                       << "/webhook.secret\nwebhook_events: \"" << events << "\"\n";
  return {"--config", dir + "/webhook.yaml"};
}

// Fills the population (one purchase each) so every customer has state.
void Fill(const Options& o, Workload& w, const PhaseOptions& channel_phase, uint16_t port) {
  PhaseOptions f = channel_phase;
  f.port = port;
  f.open_loop = false;
  f.connections = 8;
  f.depth = 32;
  f.fill_customers = o.workload.customers;
  const PhaseResult r = RunPhase(f, w);
  std::printf("fill: %llu customers in %.1f s (%.0f purchases/s)\n",
              static_cast<unsigned long long>(r.answered), r.seconds, r.rate());
  if (!r.connect_error.empty()) std::printf("  connections failed: %s\n", r.connect_error.c_str());
}

// Waits until the server's own background work (RocksDB flushes and
// compactions after a write-heavy phase) has settled: less than 5% of a CPU
// over half a second, or 60 s at most. Each phase then measures the engine,
// not the previous phase's debt.
void Quiesce(pid_t pid) {
  for (int i = 0; i < 120; ++i) {
    const uint64_t before = SampleProc(pid).cpu_micros;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    if (SampleProc(pid).cpu_micros - before < 25'000) return;
  }
}

Workload Only(const Options& o, const char* mix, const std::string& tag) {
  WorkloadOptions w = o.workload;
  ParseMix(mix, &w.mix);
  w.run_id += tag;
  return Workload(w);
}

PhaseOptions MaxPhase(const Options& o, const Channel& channel) {
  PhaseOptions max = Over(channel, o.phase);
  max.open_loop = false;
  max.connections = 16;
  max.depth = 32;
  return max;
}

}  // namespace loyalty::bench
