// loyaltyd: the loyalty engine server.
//
//   loyaltyd --listen 127.0.0.1:7070 --data-dir ./var --rules rules.yaml
//
// Startup may fail (bad flag, bad rules, store will not open): the reason is
// printed and the exit code is 1. Once it prints "loyaltyd listening on
// HOST:PORT" it serves until SIGTERM or SIGINT, which drain: no new
// requests, every accepted one is answered, then exit 0. SIGHUP reloads the
// rules file; a file with mistakes is refused and the running rules stay.
// SIGUSR1 logs a stats line (events, commits, grouped events, replays).
// --clock event makes "now" the latest event time seen (event_clock.h), for
// loading past sales into a data dir as they happened.
// With --redis HOST:PORT (or `redis:` in the config file) every commit's
// changed profiles are published to Redis behind the reply (adapters/redis);
// Redis being down or slow never fails or delays a sale. The cache's
// counters are logged on SIGUSR1 and at shutdown.
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <thread>
#include <utility>  // before Asio (Boost 1.74)

#include "adapters/net/framing.h"
#include "adapters/net/server.h"
#include "adapters/rocksdb/store.h"
#include "adapters/yaml/config_file.h"
#include "adapters/yaml/rules_file.h"
#include "tools/loyaltyd/event_clock.h"
#include "tools/loyaltyd/redis_cache.h"
#include "tools/loyaltyd/sd_notify.h"
#include "tools/pipeline/pipeline.h"

namespace loyalty {
namespace {

void Log(const std::string& line) { std::cerr << "loyaltyd: " << line << std::endl; }

std::shared_ptr<const RuleSet> LoadRules(const std::string& path) {
  if (path.empty()) return std::make_shared<const RuleSet>();
  rules_file::Loaded loaded = rules_file::LoadFile(path);
  if (!loaded.rules) {
    for (const auto& p : loaded.problems) Log(p.ToString());
    return nullptr;
  }
  return std::make_shared<const RuleSet>(std::move(*loaded.rules));
}

// One line an operator (or loyalty-bench) can read: SIGUSR1 prints it.
std::string StatsLine(const PipelineStats& st) {
  return "stats events=" + std::to_string(st.events) + " groups=" + std::to_string(st.groups) +
         " grouped_events=" + std::to_string(st.grouped_events) +
         " replays=" + std::to_string(st.replays) + " rejected=" + std::to_string(st.rejected) +
         " lookups_direct=" + std::to_string(st.lookups_direct) +
         " commit_failures=" + std::to_string(st.commit_failures) +
         " swept=" + std::to_string(st.swept);
}

TimeMs SystemNowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

int Serve(const config_file::Config& config, const std::string& clock_mode) {
  auto rules = LoadRules(config.rules);
  if (!rules) {
    Log("the rules file " + config.rules + " has mistakes (listed above); not starting");
    return 1;
  }
  StoreOptions store_options;
  store_options.path = config.data_dir;
  store_options.sync = config.durability == "sync";
  auto store = Store::Open(store_options);
  if (!store.ok()) {
    Log("cannot open the store: " + store.status().ToString());
    return 1;
  }
  auto cache = StartRedisCache(config, **store, SystemNowMs);
  if (!cache.ok()) {
    Log(cache.status().message());
    return 1;
  }
  PipelineOptions pipeline_options;
  pipeline_options.shards = config.shards;
  pipeline_options.on_commit = CommitListenerFor(cache->get());
  EventClock event_clock;
  const bool follow_events = clock_mode == "event";
  Pipeline pipeline(**store, rules, pipeline_options,
                    follow_events ? Pipeline::ClockFn([&] { return event_clock.Now(); })
                                  : Pipeline::ClockFn(SystemNowMs));
  if (!pipeline.status().ok()) {
    Log("cannot read the campaign budgets: " + pipeline.status().ToString());
    return 1;
  }
  EventClockHandler clocked(event_clock, pipeline);
  net::RequestHandler& handler = follow_events ? static_cast<net::RequestHandler&>(clocked)
                                               : static_cast<net::RequestHandler&>(pipeline);

  boost::asio::io_context io(1);
  net::ServerOptions net_options;
  if (!net::SplitHostPort(config.listen, &net_options.host, &net_options.port)) {
    Log("--listen '" + config.listen + "' is not HOST:PORT");
    return 1;
  }
  net_options.connections_max = config.connections_max;
  net_options.inflight_max = config.inflight_max;
  net_options.read_timeout_ms = config.read_timeout_ms;
  net_options.idle_timeout_ms = config.idle_timeout_ms;
  net::Server server(io, net_options, handler);
  if (Status s = server.Listen(); !s.ok()) {
    Log(s.ToString());
    return 1;
  }
  server.Start();

  boost::asio::signal_set stop_signals(io, SIGINT, SIGTERM);
  stop_signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    Log(std::string("received ") + (signal == SIGINT ? "SIGINT" : "SIGTERM") +
        "; draining in-flight requests");
    NotifyServiceManager("STOPPING=1");
    server.Drain([&] { io.stop(); });
  });
  boost::asio::signal_set reload_signal(io, SIGHUP);
  std::function<void()> wait_reload = [&] {
    reload_signal.async_wait([&](const boost::system::error_code& ec, int) {
      if (ec) return;
      if (auto fresh = LoadRules(config.rules)) {
        pipeline.SetRules(fresh);
        Log("rules reloaded from " + config.rules + " (version " + std::to_string(fresh->version) +
            ")");
      } else {
        Log("rules reload refused; still running version " +
            std::to_string(pipeline.rules()->version));
      }
      wait_reload();
    });
  };
  wait_reload();

  boost::asio::signal_set stats_signal(io, SIGUSR1);
  std::function<void()> wait_stats = [&] {
    stats_signal.async_wait([&](const boost::system::error_code& ec, int) {
      if (ec) return;
      Log(StatsLine(pipeline.stats()));
      if (*cache) Log(RedisStatsLine((*cache)->counters()));
      wait_stats();
    });
  };
  wait_stats();

  std::cout << "loyaltyd listening on " << net_options.host << ":" << server.port() << " (data "
            << config.data_dir << ", rules version " << rules->version << ", " << config.shards
            << " shards, durability " << config.durability
            << (config.redis.empty() ? "" : ", redis " + config.redis)
            << (follow_events ? ", clock event" : "") << ")" << std::endl;
  NotifyServiceManager("READY=1");
  io.run();
  pipeline.Stop();
  Log(StatsLine(pipeline.stats()));
  if (*cache) {
    (*cache)->Stop();
    Log(RedisStatsLine((*cache)->counters()));
  }
  Log("stopped; bye");
  return 0;
}

}  // namespace
}  // namespace loyalty

int main(int argc, char** argv) {
  using loyalty::config_file::Config;
  CLI::App app{"loyaltyd: the loyalty engine server"};
  std::string config_path;
  Config flags;
  app.add_option("--config", config_path, "YAML config file (flags override it)");
  auto* listen = app.add_option("--listen", flags.listen,
                                "HOST:PORT to serve registers on (port 0: any free port)");
  auto* data = app.add_option("--data-dir", flags.data_dir, "directory of the RocksDB database");
  auto* rules =
      app.add_option("--rules", flags.rules, "rules file (YAML); none: built-in defaults");
  auto* shards =
      app.add_option("--shards", flags.shards, "writer threads")->check(CLI::Range(1, 64));
  auto* durability = app.add_option("--durability", flags.durability,
                                    "sync: fsync before every reply (default); async: a machine "
                                    "crash may lose the last acknowledged events")
                         ->check(CLI::IsMember({"sync", "async"}));
  auto* redis =
      app.add_option("--redis", flags.redis,
                     "HOST:PORT of Redis for hot profile snapshots (default: none, no cache)");
  std::string clock_mode = "system";
  app.add_option("--clock", clock_mode,
                 "system: now is the machine's clock (default); event: now is the latest event "
                 "time seen, for loading past sales")
      ->check(CLI::IsMember({"system", "event"}));
  CLI11_PARSE(app, argc, argv);

  Config config;
  if (!config_path.empty()) {
    auto loaded = loyalty::config_file::LoadFile(config_path);
    if (!loaded.ok()) {
      std::cerr << "loyaltyd: " << loaded.status().message() << std::endl;
      return 1;
    }
    config = *loaded;
  }
  if (*listen) config.listen = flags.listen;
  if (*data) config.data_dir = flags.data_dir;
  if (*rules) config.rules = flags.rules;
  if (*shards) config.shards = flags.shards;
  if (*durability) config.durability = flags.durability;
  if (*redis) config.redis = flags.redis;
  return loyalty::Serve(config, clock_mode);
}
