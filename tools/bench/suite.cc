// The benchmark's runs: one phase against a server, a soak, and the whole
// comparison with the reference tools.
#include "tools/bench/suite.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "adapters/http/client.h"
#include "adapters/net/framing.h"
#include "proto/store_codec.h"
#include "tools/bench/credentials.h"
#include "tools/bench/phase_kit.h"
#include "tools/bench/process.h"
#include "tools/bench/reference.h"
#include "tools/bench/rounds.h"
#include "tools/bench/webhook_receiver.h"
#include "tools/replay/retail_csv.h"

namespace loyalty::bench {

// Loads the real data set's invoices for --replay.
bool LoadInvoices(Options& o) {
  if (o.replay.empty()) return true;
  auto csv = replay::RetailCsv::Open(o.replay);
  if (!csv.ok()) {
    std::cerr << "loyalty-bench: " << csv.status().message() << "\n";
    return false;
  }
  auto invoices = std::make_shared<std::vector<replay::Invoice>>();
  while (auto inv = (*csv)->Next()) invoices->push_back(std::move(*inv));
  std::printf("replay: %zu invoices from %s (%llu rows, %llu anonymous rows skipped)\n",
              invoices->size(), o.replay.c_str(),
              static_cast<unsigned long long>((*csv)->counts().rows),
              static_cast<unsigned long long>((*csv)->counts().anonymous_rows));
  o.workload.invoices = std::move(invoices);
  o.fill = false;  // the replay builds its own population
  return true;
}

// The channel of a phase against a server this run did not start.
bool ChannelOfRunningServer(Options& o) {
  o.phase.ca_file = o.plaintext ? "" : o.ca_file;
  if (!o.plaintext && o.ca_file.empty()) {
    std::cerr << "loyalty-bench: --server needs --ca (LOYALTY_CA), or --plaintext\n";
    return false;
  }
  if (o.credential_file.empty()) return true;  // a server that asks for no Hello
  auto credential = net::LoadClientCredential(o.credential_file);
  if (!credential.ok()) {
    std::cerr << "loyalty-bench: " << credential.status().message() << "\n";
    return false;
  }
  o.phase.credentials = {*credential};
  return true;
}

int RunOnce(Options o) {
  if (!LoadInvoices(o)) return 1;
  o.workload.stores_from_credential = true;  // a till's events are its store's
  Workload w(o.workload);
  std::unique_ptr<Server> server;
  std::string dir;
  pid_t pid = o.server_pid;
  pid_t redis_pid = -1;
  std::unique_ptr<WebhookReceiver> receiver;
  if (o.server.empty()) {
    dir = TempDir();
    Channel channel;
    if (!MakeChannel(dir, o.plaintext, &channel)) return 1;
    std::vector<std::string> more;
    if (o.redis) {
      const int port = FreePort();
      redis_pid = StartRedisServer(dir, port, o.server_cpu);
      more = {"--redis", "127.0.0.1:" + std::to_string(port)};
    }
    if (o.webhook) {
      receiver = std::make_unique<WebhookReceiver>(false);
      receiver->Answer(204);
      const auto config = WebhookConfig(dir, receiver->url(), o.webhook_events);
      more.insert(more.end(), config.begin(), config.end());
    }
    server = StartServer(o, dir, o.durability, channel, more);
    if (!server->ok()) return 1;
    o.phase = Over(channel, o.phase);
    o.phase.port = server->port();
    pid = server->pid();
  } else if (!net::SplitHostPort(o.server, &o.phase.host, &o.phase.port)) {
    std::cerr << "loyalty-bench: --server '" << o.server << "' is not HOST:PORT\n";
    return 2;
  } else if (!ChannelOfRunningServer(o)) {
    return 2;
  }
  if (o.fill) Fill(o, w, o.phase, o.phase.port);
  if (o.soak > 0) {
    PhaseOptions p = o.phase;
    p.seconds = 10;
    for (double t = 0; t < o.soak; t += 10) {
      Measured m = Measure(p, w, pid, server.get());
      std::printf("soak t=%4.0fs %8.0f events/s p99 %.3f ms rss %.1f MiB\n", t + 10, m.r.rate(),
                  Ms(m.r.all.Quantile(0.99)), static_cast<double>(m.rss) / (1 << 20));
      std::fflush(stdout);
    }
  } else {
    Print(o.phase.open_loop ? "open" : "closed", Measure(o.phase, w, pid, server.get()));
  }
  if (o.redis && server) {
    // Commit -> readable in Redis, as the server's publisher measured it.
    auto st = server->Stats();
    std::printf("  redis: up %llu, published %llu, commit->readable lag p50 %.3f ms p99 %.3f ms\n",
                static_cast<unsigned long long>(st["redis_up"]),
                static_cast<unsigned long long>(st["redis_published"]),
                static_cast<double>(st["redis_lag_p50_us"]) / 1000,
                static_cast<double>(st["redis_lag_p99_us"]) / 1000);
  }
  if (server) server->Stop();
  if (receiver) {
    std::printf("  webhook: %llu requests received, %llu events in them (up to 500 each)\n",
                static_cast<unsigned long long>(receiver->count()),
                static_cast<unsigned long long>(receiver->events()));
  }
  StopRedisServer(redis_pid);
  if (!dir.empty()) std::filesystem::remove_all(dir);
  return 0;
}

}  // namespace loyalty::bench

namespace loyalty::bench {
namespace {

// The stored size of a typical customer (a few lots), for the references.
int TypicalValueSize() {
  CustomerState s;
  s.customer_id = "bench-12345";
  s.cards = {"bench-12345"};
  s.tier = "member";
  s.version = 7;
  for (int i = 0; i < 3; ++i) {
    s.lots.push_back({120, 1'767'225'600'000 + i, 1'767'225'600'000 + i, 1'798'761'600'000 + i,
                      "b12345-" + std::to_string(100000 + i)});
  }
  return static_cast<int>(store_codec::EncodeCustomer(s).size());
}

void Ratio(const char* name, double engine, double reference) {
  std::printf("ratio %s %.3f\n", name, reference > 0 ? engine / reference : 0.0);
}

// The durable engine on one channel: lookups (50 clients, 1 client), the
// maximum purchase rate, p99 at half of it, and (with_mixed) the mix and
// the tills (kTills connections, each sending one purchase every 2 s).
struct Durable {
  bool ok = false;
  Measured lookups50, lookups1, max, at_half, tills;
};

Durable MeasureDurable(const Options& o, const std::string& dir, const Channel& channel,
                       const std::string& suffix, bool with_mixed, bool with_lookups = true) {
  Durable d;
  PhaseOptions max = MaxPhase(o, channel);
  auto sync = StartServer(o, dir, "sync", channel);
  if (!sync->ok()) return d;
  max.port = sync->port();
  const std::string tag = channel.plaintext ? "x" : "";  // fresh transaction ids
  Workload fill = Only(o, "purchase=100", "f" + tag);
  Fill(o, fill, max, sync->port());
  Quiesce(sync->pid());
  if (with_lookups) {
    Workload look = Only(o, "lookup=100", "l" + tag);
    PhaseOptions c50 = max;
    c50.connections = 50;
    c50.depth = 1;
    d.lookups50 = Measure(c50, look, sync->pid(), sync.get());
    Print("lookups c50" + suffix, d.lookups50);
    PhaseOptions c1 = c50;
    c1.connections = 1;
    d.lookups1 = Measure(c1, look, sync->pid(), sync.get());
    Print("lookups c1" + suffix, d.lookups1);
  }
  Workload buy = Only(o, "purchase=100", "p" + tag);
  d.max = Measure(max, buy, sync->pid(), sync.get());
  Print("durable purchases" + suffix, d.max);
  Quiesce(sync->pid());
  PhaseOptions half = max;
  half.open_loop = true;
  half.rate = d.max.r.rate() / 2;
  d.at_half = Measure(half, buy, sync->pid(), sync.get());
  Print("purchases at half max" + suffix, d.at_half);
  if (with_mixed) {
    Quiesce(sync->pid());
    Workload mixed = Only(o, o.mix.c_str(), "m" + tag);
    Print("mixed at max" + suffix, Measure(max, mixed, sync->pid(), sync.get()));
    Quiesce(sync->pid());
    PhaseOptions tills = max;
    tills.open_loop = true;
    tills.connections = kTills;
    tills.rate = static_cast<double>(kTills) / 2;
    d.tills = Measure(tills, buy, sync->pid(), sync.get());
    Print("tills " + std::to_string(kTills) + " x 1 purchase per 2 s" + suffix, d.tills);
  }
  sync->Stop();
  d.ok = true;
  return d;
}

// The group's view of a node (GET /v1/cluster), null when it does not answer.
nlohmann::json ClusterOf(uint16_t admin_port) {
  http::ClientRequest get;
  get.target = "/v1/cluster";
  get.timeout_ms = 2000;
  auto reply = http::Call("127.0.0.1:" + std::to_string(admin_port), get);
  if (!reply.ok() || reply->status != 200) return nullptr;
  return nlohmann::json::parse(reply->body, nullptr, false);
}

// A replicated group on this machine (issue 18): ZooKeeper, a primary on the
// server's CPU and a standby with replication sync on the load's, the
// registers on the primary: the maximum purchase rate and p99 at half of it.
struct Replicated {
  bool ok = false;
  Measured max, at_half;
};

// ZooKeeper, a primary on the server's CPU and a standby with replication
// sync on the load's, the primary serving.
struct Group {
  bool ok = false;
  std::unique_ptr<ZooKeeper> zk;
  std::unique_ptr<Server> primary, standby;
};

Group StartGroup(const Options& o, const std::string& dir, const Channel& channel) {
  Group g;
  g.zk = std::make_unique<ZooKeeper>(dir + "/zk");
  if (!g.zk->ok()) {
    std::cerr << "loyalty-bench: ZooKeeper did not start (java, Debian's zookeeper package)\n";
    return g;
  }
  const std::string secret = dir + "/group.secret";
  std::ofstream(secret) << "bench-only-group-secret-0123456789abcdef\n";
  // The standby on the other CPU (with the load): a machine of its own is
  // the deployment; both on one core halves the rate (BENCHMARKS.md).
  auto node = [&](const std::string& id, uint16_t admin, int cpu) {
    Options on = o;
    on.server_cpu = cpu;
    const std::string replication = "127.0.0.1:" + std::to_string(FreePort());
    return StartServer(
        on, dir, "sync", channel,
        {"--zookeeper", g.zk->address(), "--node-id", id, "--replication-listen", replication,
         "--replication", "sync", "--replication-tls", "off", "--replication-secret-file", secret},
        "-" + id, "127.0.0.1:" + std::to_string(FreePort()), "127.0.0.1:" + std::to_string(admin));
  };
  const auto admin1 = static_cast<uint16_t>(FreePort());
  const auto admin2 = static_cast<uint16_t>(FreePort());
  g.primary = node("n1", admin1, o.server_cpu);
  auto ready = [&](int standbys) {
    for (int i = 0; i < 600; ++i) {
      const nlohmann::json c = ClusterOf(admin1);
      if (c.is_object() && c.value("serving", false) &&
          c["replication"]["standbys"].size() >= static_cast<size_t>(standbys)) {
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  };
  if (!g.primary->ok() || !ready(0)) return g;
  g.standby = node("n2", admin2, o.load_cpu);
  if (!g.standby->ok() || !ready(1)) {
    std::cerr << "loyalty-bench: the standby did not follow the primary\n";
    return g;
  }
  g.ok = true;
  return g;
}

Replicated MeasureReplicated(const Options& o, const std::string& dir, const Channel& channel) {
  Replicated r;
  Group g = StartGroup(o, dir, channel);
  if (!g.ok) return r;
  Server* primary = g.primary.get();
  Server* standby = g.standby.get();
  PhaseOptions max = MaxPhase(o, channel);
  max.port = primary->port();
  Workload fill = Only(o, "purchase=100", "rf");
  Fill(o, fill, max, primary->port());
  Quiesce(primary->pid());
  Workload buy = Only(o, "purchase=100", "rp");
  r.max = Measure(max, buy, primary->pid(), primary);
  Print("replicated (sync) purchases", r.max);
  Quiesce(primary->pid());
  PhaseOptions half = max;
  half.open_loop = true;
  half.rate = r.max.r.rate() / 2;
  r.at_half = Measure(half, buy, primary->pid(), primary);
  Print("replicated (sync) purchases at half max", r.at_half);
  standby->Stop();
  primary->Stop();
  r.ok = true;
  return r;
}

void GroupRatios(const Measured& single_max, const Measured& single_half, const Replicated& group) {
  Ratio("replicated_sync_vs_single", group.max.r.rate(), single_max.r.rate());
  Ratio("replicated_p99_at_half_vs_single", Ms(group.at_half.r.by_kind[0].Quantile(0.99)),
        Ms(single_half.r.by_kind[0].Quantile(0.99)));
}

}  // namespace

// The single node and the group run at once (the node on the primary's CPU,
// idle while the group is measured, and the other way round), measured in
// alternate rounds so the VM's drift cancels out: each round the maximum of
// each, then each at half of its own maximum.
int RunGroupCompare(Options o) {
  const std::string dir = TempDir();
  std::printf(
      "group: server side on cpu %d, standby and load on cpu %d, %zu customers, %d rounds of "
      "4 x %.0f s\n",
      o.server_cpu, o.load_cpu, o.workload.customers, o.rounds, o.phase.seconds);
  o.workload.stores_from_credential = true;
  Channel channel;
  if (!MakeChannel(dir, o.plaintext, &channel)) return 1;
  auto single = StartServer(o, dir, "sync", channel);
  Group group = StartGroup(o, dir, channel);
  if (!single->ok() || !group.ok) return 1;
  PhaseOptions max = MaxPhase(o, channel);
  Workload fill = Only(o, "purchase=100", "f");
  Fill(o, fill, max, single->port());
  Fill(o, fill, max, group.primary->port());
  Workload buy = Only(o, "purchase=100", "p");
  Server* const servers[2] = {single.get(), group.primary.get()};
  std::vector<double> rate_ratios, p99_ratios;
  const auto each = [&](int round, const RoundPair& m) {
    rate_ratios.push_back(RatioOf(m.at_max[1].r.rate(), m.at_max[0].r.rate()));
    p99_ratios.push_back(RatioOf(PurchaseP99(m.at_half[1]), PurchaseP99(m.at_half[0])));
    std::printf(
        "round %2d  single %6.0f/s, p99 at half %6.2f ms | group %6.0f/s, p99 at half %6.2f ms | "
        "%.3f throughput, %.2f p99\n",
        round, m.at_max[0].r.rate(), PurchaseP99(m.at_half[0]), m.at_max[1].r.rate(),
        PurchaseP99(m.at_half[1]), rate_ratios.back(), p99_ratios.back());
  };
  AlternateRounds(o.rounds, max, /*at_half=*/true, buy, servers, {group.standby->pid()}, each);
  Ratio("replicated_sync_vs_single", Median(rate_ratios), 1);
  Ratio("replicated_p99_at_half_vs_single", Median(p99_ratios), 1);
  group.standby->Stop();
  group.primary->Stop();
  single->Stop();
  std::filesystem::remove_all(dir);
  return 0;
}

int RunCompare(Options o) {
  const std::string dir = TempDir();
  const int value_size = TypicalValueSize();
  std::printf(
      "compare: %ld cpus, server side on cpu %d, load on cpu %d, %zu customers, "
      "value %d bytes, %.0f s per phase\n",
      ::sysconf(_SC_NPROCESSORS_ONLN), o.server_cpu, o.load_cpu, o.workload.customers, value_size,
      o.phase.seconds);
  o.workload.stores_from_credential = true;  // a till's events are its store's
  Channel tls;
  if (!MakeChannel(dir, /*plaintext=*/false, &tls)) return 1;
  Channel plain = tls;
  plain.plaintext = true;

  // The engine, durable, over TLS with authentication; then again in
  // plaintext for the cost of TLS; then with sync off.
  const Durable secure = MeasureDurable(o, dir, tls, "", /*with_mixed=*/true);
  if (!secure.ok) return 1;
  const Durable clear = MeasureDurable(o, dir, plain, " plaintext", /*with_mixed=*/false);
  if (!clear.ok) return 1;
  const Measured& durable = secure.max;
  const Measured& at_half = secure.at_half;
  const Measured& lookups50 = secure.lookups50;
  const Measured& lookups1 = secure.lookups1;

  // The same engine with sync off.
  PhaseOptions max = MaxPhase(o, tls);
  auto async = StartServer(o, dir, "async", tls);
  if (!async->ok()) return 1;
  max.port = async->port();
  Workload fill2 = Only(o, "purchase=100", "g");
  Fill(o, fill2, max, async->port());
  Quiesce(async->pid());
  Workload buy2 = Only(o, "purchase=100", "q");
  const Measured nosync = Measure(max, buy2, async->pid(), async.get());
  Print("no-sync purchases", nosync);
  async->Stop();

  // A primary with a sync standby.
  const Replicated replicated = MeasureReplicated(o, dir, tls);
  if (!replicated.ok) return 1;

  // The references, with matching key count, value size and group size.
  const int batch = std::max(1, static_cast<int>(durable.mean_group + 0.5));
  const DbBenchFigures db =
      RunDbBench(dir, o.workload.customers, value_size, batch, o.phase.seconds, o.server_cpu);
  std::printf(
      "db_bench: updaterandom %.0f ops/s, readrandom %.0f ops/s, fillrandom sync batch %d: "
      "%.0f ops/s, commit p50 %.0f us p99 %.0f us\n",
      db.updaterandom_ops, db.readrandom_ops, batch, db.fillsync_ops, db.fillsync_p50_micros,
      db.fillsync_p99_micros);
  const RedisFigures redis =
      RunRedisBench(dir, 20000 + ::getpid() % 20000, value_size, o.server_cpu, o.load_cpu);
  std::printf("redis-benchmark GET: c50 %.0f rps, c1 %.0f rps p50 %.3f ms\n", redis.get_rps_c50,
              redis.get_rps_c1, redis.get_p50_ms_c1);

  Ratio("durable_vs_updaterandom", durable.r.rate(), db.updaterandom_ops);
  Ratio("p99_vs_commit_p99", Ms(at_half.r.by_kind[0].Quantile(0.99)),
        db.fillsync_p99_micros / 1000);
  Ratio("tills_p99_vs_commit_p99", Ms(secure.tills.r.by_kind[0].Quantile(0.99)),
        db.fillsync_p99_micros / 1000);
  Ratio("durable_vs_nosync", durable.r.rate(), nosync.r.rate());
  GroupRatios(durable, at_half, replicated);
  Ratio("lookup_vs_redis_get_c50", lookups50.r.rate(), redis.get_rps_c50);
  Ratio("lookup_p50_vs_redis_get_p50_c1", Ms(lookups1.r.all.Quantile(0.5)), redis.get_p50_ms_c1);
  // The cost of TLS (authentication is in both: register_tls off still
  // takes a Hello): over 1 is slower, except for throughput, where under 1 is.
  Ratio("tls_throughput_vs_plaintext", durable.r.rate(), clear.max.r.rate());
  Ratio("tls_p99_at_half_vs_plaintext", Ms(at_half.r.by_kind[0].Quantile(0.99)),
        Ms(clear.at_half.r.by_kind[0].Quantile(0.99)));
  Ratio("tls_lookups_c50_vs_plaintext", lookups50.r.rate(), clear.lookups50.r.rate());
  Ratio("tls_lookup_p50_c1_vs_plaintext", Ms(lookups1.r.all.Quantile(0.5)),
        Ms(clear.lookups1.r.all.Quantile(0.5)));
  std::printf("absolute purchase_p99_at_half_ms %.3f\n", Ms(at_half.r.by_kind[0].Quantile(0.99)));
  std::printf("absolute cpu_us_per_purchase_at_half %.1f\n", at_half.cpu_us_per_event);
  std::printf("absolute cpu_us_per_purchase_at_max %.1f\n", durable.cpu_us_per_event);
  std::printf("absolute purchase_p99_at_half_plaintext_ms %.3f\n",
              Ms(clear.at_half.r.by_kind[0].Quantile(0.99)));
  std::filesystem::remove_all(dir);
  return 0;
}

}  // namespace loyalty::bench
