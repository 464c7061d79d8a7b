// loyaltyd: the loyalty engine server.
//
//   loyaltyd --listen 127.0.0.1:7070 --data-dir ./var --rules rules.yaml
//
// Configuration: defaults < --config FILE < LOYALTY_* environment < flags
// (config.h); --check-config validates and exits, --print-config prints the
// effective configuration with secrets redacted. A bad option stops startup
// with its name and the reason, exit code 1.
//
// Startup: the admin listener first (so /healthz answers and /readyz says
// why it is not ready), then the store (waiting up to store_lock_wait_ms for
// another process to let go of it), the rules (the active stored version,
// else --rules, stored as the next version), the runtime and the register
// listener. It prints "loyaltyd admin on HOST:PORT" and then "loyaltyd
// listening on HOST:PORT ..." once it serves.
//
// SIGTERM or SIGINT drain: /readyz turns 503 at once; after drain_delay_ms
// (or a second signal) no new requests are read, every accepted one is
// answered, then exit 0. SIGHUP re-reads the rules file and, when valid and
// changed, stores and activates it as a new version; a file with mistakes
// is refused and the running rules stay. SIGUSR1 logs a stats line.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <thread>
#include <utility>  // before Asio (Boost 1.74)

#include "adapters/http/server.h"
#include "adapters/net/framing.h"
#include "adapters/net/server.h"
#include "adapters/net/verifier.h"
#include "adapters/rocksdb/key_codec.h"
#include "adapters/rocksdb/store.h"
#include "adapters/yaml/config_file.h"
#include "engine/outbox.h"
#include "engine/runtime/runtime.h"
#include "tools/build_info/build_info.h"
#include "tools/loyaltyd/admin_api.h"
#include "tools/loyaltyd/admin_backups.h"
#include "tools/loyaltyd/admin_console.h"
#include "tools/loyaltyd/admin_customers.h"
#include "tools/loyaltyd/admin_events.h"
#include "tools/loyaltyd/admin_json.h"
#include "tools/loyaltyd/admin_privacy.h"
#include "tools/loyaltyd/admin_publish.h"
#include "tools/loyaltyd/admin_reports.h"
#include "tools/loyaltyd/backups.h"
#include "tools/loyaltyd/check_config.h"
#include "tools/loyaltyd/config.h"
#include "tools/loyaltyd/event_clock.h"
#include "tools/loyaltyd/events_out.h"
#include "tools/loyaltyd/group.h"
#include "tools/loyaltyd/log.h"
#include "tools/loyaltyd/redis_cache.h"
#include "tools/loyaltyd/role_switch.h"
#include "tools/loyaltyd/sd_notify.h"
#include "tools/loyaltyd/store_open.h"
#include "tools/loyaltyd/worker.h"
#include "tools/report/format.h"
#include "tools/wiring/outbox_dispatcher.h"
#include "tools/wiring/redis_stream_sink.h"
#include "tools/wiring/register_front.h"
#include "tools/wiring/rfm_job.h"
#include "tools/wiring/webhook_sink.h"

namespace loyalty {
namespace {

namespace asio = boost::asio;

// "127.0.0.1:7070", "[::1]:7070": an address as one writes it.
std::string HostPort(const std::string& host, unsigned port) {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

TimeMs SystemNowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// Everything the running server is made of, in the order it is built.
struct Running {
  std::unique_ptr<EventClockHandler> clocked;  // --clock event: between server and front
  std::unique_ptr<Store> store;
  std::unique_ptr<OutboxDispatcher> outbox;  // events out; stopped before the store closes
  std::unique_ptr<Backups> backups;          // stopped before the store closes
  std::unique_ptr<AuditLog> audit;
  std::unique_ptr<RuleVersions> versions;
  std::unique_ptr<RulesPublisher> publisher;
  std::unique_ptr<redis::Publisher> cache;
  std::unique_ptr<Runtime> runtime;
  std::unique_ptr<RegisterFront> front;  // the register channel into the runtime
  std::unique_ptr<RfmJob> rfm_job;       // stopped before the runtime and the store
  std::unique_ptr<net::Server> server;
};

class Daemon {
 public:
  // The cache's thread asks the runtime for views, and members go in reverse
  // order (the runtime before the cache): whatever path ends the daemon, the
  // cache stops first.
  ~Daemon() {
    worker_.Stop();   // its jobs read the store
    reports_.Stop();  // its keeper too
    if (run_.cache) run_.cache->Stop();
    // Closed here, in reverse order of building, while the signal sets
    // (members, destroyed after this body) still catch a second SIGTERM:
    // closing the store takes a moment, and a signal with the default
    // action would end the process "killed by SIGTERM" in the middle.
    Running closing = std::move(run_);
  }
  Daemon(const config_file::Config& config, http::TokenTable tokens, bool follow_events,
         std::function<void()> restart)
      : config_(config),
        follow_events_(follow_events),
        restart_(std::move(restart)),
        refusals_(20, std::chrono::seconds(1)),
        rocksdb_errors_(5, std::chrono::seconds(60)),
        router_(std::move(tokens),
                [this](const http::Request& r, const http::Response& res) { Refused(r, res); }),
        api_(readiness_, metrics_, [this] { SampleMetrics(); }),
        customers_([this] { return readiness_.why_not(); }),
        publish_([this] { return readiness_.why_not(); },
                 PublishOptions{config.admin_self_approval == "on", config.simulate_data,
                                config.data_dir}),
        reports_([this] { return readiness_.why_not(); }),
        console_(
            router_, [this] { return readiness_.why_not(); }, [this] { return Live(); }),
        backups_api_([this] { return readiness_.why_not(); }),
        events_api_([this] { return readiness_.why_not(); }),
        privacy_api_([this] { return readiness_.why_not(); }),
        drain_timer_(io_) {
    api_.AddRoutes(router_);
    customers_.AddRoutes(router_);
    publish_.AddRoutes(router_);
    reports_.AddRoutes(router_);
    console_.AddRoutes(router_);
    backups_api_.AddRoutes(router_);
    events_api_.AddRoutes(router_);
    privacy_api_.AddRoutes(router_);
    router_.Add({"GET", "/v1/cluster", std::nullopt,  // like /readyz and /metrics
                 [this](const http::Request&, http::Respond respond) {
                   if (!group_) return respond(admin::Ok({{"role", "single"}}));
                   respond(admin::Ok(group_->Describe()));
                 }});
  }

  int Serve();

 private:
  Status StartAdmin();
  Status Build();
  Status RestoreEventClock();
  Status StartRfmJob();
  Status JoinGroup();
  Status StartListener();  // on the io thread
  Status StartServing();   // on the io thread
  void WaitSignals();
  void Drain();
  void Refused(const http::Request& r, const http::Response& res);
  StoreOptions MakeStoreOptions();
  void SampleMetrics();
  nlohmann::json Live() const;  // the console's overview: what only the daemon knows
  int Fail(const std::string& why);

  const config_file::Config& config_;
  const bool follow_events_;             // --clock event (event_clock.h)
  const std::function<void()> restart_;  // a deposed primary starts again as a standby
  EventClock event_clock_;
  asio::io_context io_{1};
  Readiness readiness_;
  Metrics metrics_;
  RateLimitedLog refusals_;
  RateLimitedLog rocksdb_errors_;  // RocksDB's own error lines (its LOG has them all)
  http::Router router_;
  AdminApi api_;
  AdminCustomers customers_;
  AdminPublish publish_;
  AdminReports reports_;
  AdminConsole console_;
  Worker worker_;  // the admin API's slow jobs; stopped in Serve, before run_ goes
  AdminBackups backups_api_;
  AdminEvents events_api_;
  AdminPrivacy privacy_api_;
  std::unique_ptr<http::Server> admin_;
  WireDecisionCodec codec_;  // the runtime's DecisionCodec; outlives run_
  // A replicated group (group.h); both outlive run_, whose runtime commits
  // through replicated_.
  std::unique_ptr<Group> group_;
  std::unique_ptr<ReplicatedStore> replicated_;
  RoleSwitch switch_{[this] { return group_ ? group_->PrimaryAddress() : std::string(); }};
  std::atomic<bool> group_stop_{false};                   // a signal while a standby
  std::atomic<const Runtime*> serving_runtime_{nullptr};  // for the Welcome
  std::string listen_host_;
  Running run_;
  asio::steady_timer drain_timer_;
  std::unique_ptr<asio::signal_set> stop_signals_, reload_signal_, stats_signal_;
  std::thread io_thread_;
  bool drain_started_ = false;
};

void Daemon::Refused(const http::Request& r, const http::Response& res) {
  metrics_.OnAdminRefused(res.status);
  // A probe asking /readyz while unready is no refusal to log: the reason
  // was logged once when it began (a full disk, a drain).
  if (r.path == "/readyz") return;
  const std::string who = r.principal ? " by " + r.principal->name : "";
  // The path may hold a card number: log the route, never the card.
  // Only the error's code: messages and bodies may carry personal data.
  std::string code;
  constexpr std::string_view kCode = "{\"code\":\"";
  if (res.body.rfind(kCode, 0) == 0) {
    code = " " + res.body.substr(kCode.size(), res.body.find('"', kCode.size()) - kCode.size());
  }
  refusals_.Warn("admin refused " + r.method + " " + router_.PatternOf(r.method, r.path) + who +
                 ": " + std::to_string(res.status) + code);
}

nlohmann::json Daemon::Live() const {
  const auto rules = run_.runtime->rules();
  const RuntimeStats stats = run_.runtime->stats();
  nlohmann::json j = {{"ready", readiness_.ready()},
                      {"why_not_ready", readiness_.why_not()},
                      {"rules",
                       {{"version", rules->version},
                        {"name", rules->name},
                        {"currency", rules->program.currency},
                        {"utc_offset_minutes", rules->program.utc_offset_minutes},
                        {"point_value_minor", rules->program.point_value_minor}}},
                      {"events", stats.events},
                      {"events_rejected", stats.rejected},
                      {"server_ms", SystemNowMs()},
                      {"cache", {{"configured", run_.cache != nullptr}}}};
  if (run_.cache) {
    const auto c = run_.cache->counters();
    j["cache"]["up"] = c.cache_up;
    j["cache"]["backlog"] = c.backlog;
  }
  return j;
}

void Daemon::SampleMetrics() {
  metrics_.SetReady(readiness_.ready());
  metrics_.SampleProcess();
  // run_ is built on the main thread; StartServing (on this io thread, after
  // a post that orders it after the build) sets rules_loaded.
  if (admin_) metrics_.SampleAdmin(admin_->connections());
  if (group_) {
    const Group::Figures g = group_->figures();
    metrics_.SampleGroup(
        {g.role, g.epoch, g.failovers, g.applied_seq, g.acked_seq, g.lag_batches, g.standbys});
  }
  if (!readiness_.rules_loaded) return;
  metrics_.SampleStore(run_.store->Figures(), run_.store->health().writable);
  const Backups::State b = run_.backups->state();
  metrics_.SampleBackups({run_.backups->AgeSeconds(), b.last ? b.last->created_ms : 0, b.running,
                          b.succeeded, b.failed});
  if (run_.server) metrics_.SampleServer(run_.server->counters(), run_.server->connections());
  metrics_.SampleBudgets(*run_.runtime->rules(), run_.runtime->BudgetTotals());
  metrics_.SampleRfm(run_.rfm_job->computed_ms(), run_.runtime->now());
  metrics_.SamplePoints(run_.rfm_job->points_outstanding(), *run_.runtime->rules());
  if (run_.cache) {
    const auto c = run_.cache->counters();
    metrics_.SampleCache(&c);
  }
  if (run_.outbox) metrics_.SampleOutbox(run_.outbox->stats());
}

Status Daemon::StartAdmin() {
  if (config_.admin_listen == "off") return Status::Ok();
  http::ServerOptions o;
  if (!net::SplitHostPort(config_.admin_listen, &o.host, &o.port)) {
    return Status::Invalid("admin_listen '" + config_.admin_listen + "' is not HOST:PORT");
  }
  o.connections_max = config_.admin_connections_max;
  o.header_bytes_max = config_.admin_header_bytes_max;
  o.body_bytes_max = config_.admin_body_bytes_max;
  o.timeout_ms = config_.admin_timeout_ms;
  if (config_.admin_tls == "on") {
    o.tls_cert_path = config_.admin_tls_cert.empty() ? config_.tls_cert : config_.admin_tls_cert;
    o.tls_key_path = config_.admin_tls_key.empty() ? config_.tls_key : config_.admin_tls_key;
  }
  admin_ = std::make_unique<http::Server>(io_, o, router_);
  if (Status s = admin_->Listen(); !s.ok()) return s;
  admin_->Start();
  std::cout << "loyaltyd admin on " << HostPort(o.host, admin_->port())
            << (o.tls_cert_path.empty() ? "" : " (HTTPS)") << std::endl;
  return Status::Ok();
}

StoreOptions Daemon::MakeStoreOptions() {
  StoreOptions o;
  o.path = config_.data_dir;
  o.sync = config_.durability == "sync";
  o.schema = SchemaPolicy::kMigrate;
  o.migration_backup_dir = config_.backup_dir;
  o.disk_reserve_bytes = config_.disk_reserve_bytes;
  o.disk_check_interval_ms = 1000;
  o.on_health = LogStoreHealth;
  if (!config_.zookeeper.empty()) o.wal_keep_seconds = 3600;  // standbys read the log
  o.on_rocksdb_error = [this](const std::string& line) {
    rocksdb_errors_.Warn("rocksdb: " + line);
  };
  // Stored-at times are the runtime's "now": the event clock under --clock
  // event, so a replay of 2011 keeps its records.
  o.txn_retention.retention_ms = config_.txn_retention_days * kMsPerDay;
  o.txn_retention.clock = follow_events_
                              ? std::function<TimeMs()>([this] { return event_clock_.Now(); })
                              : std::function<TimeMs()>(SystemNowMs);
  return o;
}

// --clock event: "now" never goes back across a restart. It starts at the
// later of the time kept at the last clean stop and the latest purchase of
// any customer (after a kill -9, a return or redemption sent after the last
// purchase may move it back by that much, never to the wall clock).
Status Daemon::RestoreEventClock() {
  TimeMs since = 0;
  auto kept = run_.store->GetMeta(store_keys::kEventClockKey);
  if (!kept.ok()) return kept.status();
  if (kept->has_value()) since = std::strtoll((*kept)->c_str(), nullptr, 10);
  const Status scanned = run_.store->ForEachCustomer([&](const CustomerState& c) {
    since = std::max(since, c.last_purchase_ms);
    return Status::Ok();
  });
  if (!scanned.ok()) return scanned;
  event_clock_.Observe(since);
  if (since > 0)
    LogInfo("--clock event: now is " + report::IsoDateTime(since, 0) + ", as the events left it");
  return Status::Ok();
}

Status Daemon::Build() {
  const bool fresh = !std::filesystem::exists(std::filesystem::path(config_.data_dir) / "CURRENT");
  auto store = OpenStore(MakeStoreOptions(), config_.store_lock_wait_ms);
  if (!store.ok()) return Status::IoError("cannot open the store: " + store.status().message());
  run_.store = std::move(*store);
  for (const std::string& note : run_.store->open_notes()) LogWarn("store: " + note);
  if (group_) {
    if (Status s = group_->ServeAsPrimary(*run_.store, fresh); !s.ok()) return s;
    replicated_ = std::make_unique<ReplicatedStore>(*run_.store, *group_);
  }
  readiness_.store.store(run_.store.get());
  readiness_.store_open = true;
  const StoreHealth health = run_.store->health();
  if (!health.writable) LogStoreHealth(health);
  run_.backups = std::make_unique<Backups>(
      *run_.store,
      BackupSchedule{config_.backup_dir, config_.backup_interval_ms,
                     static_cast<uint32_t>(config_.backup_keep)},
      SystemNowMs, [](const std::string& line) { LogEvent(LogLevel::kInfo, "backup", line); },
      [](const std::string& line) { LogEvent(LogLevel::kWarn, "backup_failed", line); });
  if (follow_events_) {
    if (Status s = RestoreEventClock(); !s.ok()) return s;
  }
  auto audit = AuditLog::Open(*run_.store);
  if (!audit.ok()) return audit.status();
  run_.audit = std::move(*audit);
  run_.versions = std::make_unique<RuleVersions>(*run_.audit);
  run_.publisher = std::make_unique<RulesPublisher>(
      io_, *run_.versions, SystemNowMs,
      [this](const StoredRuleSet& v, const std::string& action) {
        metrics_.SetRulesVersion(v.version());
        LogEvent(LogLevel::kInfo, "rules",
                 "rules: " + action + " version " + std::to_string(v.version()) + " ('" + v.name() +
                     "') by " + v.activated_by(),
                 {{"action", action},
                  {"operator", v.activated_by()},
                  {"rules_version", std::to_string(v.version())}});
      },
      config_.rules_drafts_max);
  auto rules = run_.publisher->Load(config_.rules);
  if (!rules.ok()) return Status::Invalid("rules: " + rules.status().message());
  if (!run_.publisher->load_note().empty()) LogWarn(run_.publisher->load_note());
  metrics_.SetRulesVersion((*rules)->version);
  // The cache first (the runtime tells it about commits), started last, once
  // the runtime and the RFM quantiles it shows in every snapshot are there.
  auto cache = MakeRedisCache(config_, *run_.store, SystemNowMs);
  if (!cache.ok()) return cache.status();
  run_.cache = std::move(*cache);
  RuntimeOptions runtime_options;
  auto outbox = MakeOutbox(config_, *run_.store, runtime_options);
  if (!outbox.ok()) return outbox.status();
  run_.outbox = std::move(*outbox);
  runtime_options.shards = config_.shards;
  runtime_options.sweep_interval_ms = config_.sweep_interval_ms;
  runtime_options.on_commit = CommitListenerFor(run_.cache.get());
  runtime_options.observer = &metrics_;
  DurableStore& durable = replicated_ ? static_cast<DurableStore&>(*replicated_) : *run_.store;
  run_.runtime = std::make_unique<Runtime>(
      durable, codec_, *rules, runtime_options,
      follow_events_ ? Runtime::ClockFn([this] { return event_clock_.Now(); })
                     : Runtime::ClockFn(SystemNowMs));
  if (!run_.runtime->status().ok()) {
    return Status::IoError("cannot read the campaign budgets: " + run_.runtime->status().message());
  }
  run_.front = std::make_unique<RegisterFront>(*run_.runtime);
  if (follow_events_) {
    run_.clocked = std::make_unique<EventClockHandler>(event_clock_, *run_.front);
  }
  if (Status s = StartRfmJob(); !s.ok()) return s;
  if (run_.cache) {
    run_.cache->SetView([runtime = run_.runtime.get()](const CustomerState& state, TimeMs now_ms) {
      return runtime->View(state, now_ms);
    });
    run_.cache->Start();
  }
  if (run_.outbox) run_.outbox->Start();
  return Status::Ok();
}

// The stored quantiles first, so decisions score at once; then a fresh run
// (on the job's thread) and one every rfm_interval_ms.
Status Daemon::StartRfmJob() {
  run_.rfm_job = std::make_unique<RfmJob>(*run_.store, *run_.runtime, config_.rfm_interval_ms,
                                          [this] { return run_.runtime->now(); });
  if (Status s = run_.rfm_job->LoadStored(); !s.ok()) {
    LogWarn("rfm: " + s.message() + "; recomputing them");
  }
  run_.rfm_job->Start();
  return Status::Ok();
}

// The register listener, with the role switch as its handler: a standby's
// answers NOT_PRIMARY until StartServing points it at the runtime.
Status Daemon::StartListener() {
  net::ServerOptions o;
  if (!net::SplitHostPort(config_.listen, &o.host, &o.port)) {
    return Status::Invalid("listen '" + config_.listen + "' is not HOST:PORT");
  }
  o.connections_max = config_.connections_max;
  o.inflight_max = config_.inflight_max;
  o.read_timeout_ms = config_.read_timeout_ms;
  o.idle_timeout_ms = config_.idle_timeout_ms;
  if (config_.register_tls == "on") {
    o.tls_cert_path = config_.tls_cert;
    o.tls_key_path = config_.tls_key;
  }
  o.registers_path = config_.registers;
  o.connections_per_credential_max = config_.connections_per_credential_max;
  o.unauthenticated_max = config_.unauthenticated_connections_max;
  o.unauthenticated_per_address_max = config_.unauthenticated_per_address_max;
  o.auth_timeout_ms = config_.auth_timeout_ms;
  o.lookups_per_second = config_.lookups_per_second;
  o.lookup_burst = config_.lookup_burst;
  o.reply_bytes_total_max = config_.reply_bytes_total_max;
  o.server_version = std::string("loyaltyd ") + build_info::Version();
  o.describe_program = [this](v1::Welcome& w) {
    const Runtime* runtime = serving_runtime_.load();
    if (runtime == nullptr) return;  // a standby: no rules loaded
    const auto rules = runtime->rules();
    w.set_currency(rules->program.currency);
    w.set_utc_offset_minutes(rules->program.utc_offset_minutes);
  };
  listen_host_ = o.host;
  run_.server = std::make_unique<net::Server>(io_, o, switch_);
  if (Status s = run_.server->Listen(); !s.ok()) return s;
  run_.server->Start();
  return Status::Ok();
}

Status Daemon::StartServing() {
  if (!run_.server) {
    if (Status s = StartListener(); !s.ok()) return s;
  }
  serving_runtime_.store(run_.runtime.get());
  switch_.Serve(run_.clocked ? static_cast<net::RequestHandler*>(run_.clocked.get())
                             : static_cast<net::RequestHandler*>(run_.front.get()));
  readiness_.standby = false;
  run_.publisher->Attach(run_.runtime.get());
  Runtime* runtime = run_.runtime.get();
  publish_.Attach(runtime, run_.publisher.get(), run_.store.get(), &worker_);
  customers_.Attach(runtime, run_.front.get(), run_.store.get(), run_.audit.get(), &worker_,
                    RedisForgetter(config_, run_.cache.get()));
  reports_.Attach(run_.store.get(), runtime, run_.rfm_job.get(), &worker_);
  console_.Attach(runtime, run_.store.get(), run_.audit.get(), &worker_);
  api_.Attach(run_.audit.get());
  backups_api_.Attach(run_.backups.get(), run_.audit.get(), config_.data_dir);
  events_api_.Attach(run_.store.get(), run_.outbox.get(), run_.audit.get());
  privacy_api_.Attach(run_.store.get(), run_.audit.get());
  WaitSignals();
  readiness_.rules_loaded = true;
  const auto rules = run_.runtime->rules();
  const std::string listening = HostPort(listen_host_, run_.server->port());
  std::cout << "loyaltyd listening on " << listening << " (data " << config_.data_dir
            << ", rules version " << rules->version << ", " << config_.shards
            << " shards, durability " << config_.durability
            << (config_.register_tls == "on" ? ", TLS" : ", plaintext (loopback only)")
            << (config_.redis.empty() ? "" : ", redis " + config_.redis) << ")" << std::endl;
  LogEvent(
      LogLevel::kInfo, "start",
      "started: registers on " + listening + ", rules version " + std::to_string(rules->version),
      {{"commit", build_info::Commit()}, {"rules_version", std::to_string(rules->version)}});
  NotifyServiceManager("READY=1");
  return Status::Ok();
}

void Daemon::WaitSignals() {
  stop_signals_ = std::make_unique<asio::signal_set>(io_, SIGINT, SIGTERM);
  reload_signal_ = std::make_unique<asio::signal_set>(io_, SIGHUP);
  stats_signal_ = std::make_unique<asio::signal_set>(io_, SIGUSR1);
  stop_signals_->async_wait([this](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    LogEvent(LogLevel::kInfo, "drain",
             std::string("received ") + (signal == SIGINT ? "SIGINT" : "SIGTERM") +
                 "; draining in-flight requests",
             {{"reason", signal == SIGINT ? "SIGINT" : "SIGTERM"}});
    readiness_.draining = true;
    NotifyServiceManager("STOPPING=1");
    if (config_.drain_delay_ms == 0) return Drain();
    LogInfo("not ready now; still serving for " + std::to_string(config_.drain_delay_ms) +
            " ms (a second signal stops at once)");
    drain_timer_.expires_after(std::chrono::milliseconds(config_.drain_delay_ms));
    drain_timer_.async_wait([this](const boost::system::error_code& e) {
      if (!e) Drain();
    });
    stop_signals_->async_wait([this](const boost::system::error_code& e, int) {
      if (!e) Drain();
    });
  });
  auto reload = std::make_shared<std::function<void()>>();
  *reload = [this, reload] {
    reload_signal_->async_wait([this, reload](const boost::system::error_code& ec, int) {
      if (ec) return;
      LogInfo(run_.publisher->Reload(config_.rules));
      const Status tls = run_.server->Reload();
      if (tls.ok()) {
        LogInfo("register channel: certificate and registers file re-read");
      } else {
        LogWarn("register channel: " + tls.message() + "; keeping the previous ones");
      }
      (*reload)();
    });
  };
  (*reload)();
  auto stats = std::make_shared<std::function<void()>>();
  *stats = [this, stats] {
    stats_signal_->async_wait([this, stats](const boost::system::error_code& ec, int) {
      if (ec) return;
      LogInfo(RuntimeStatsLine(run_.runtime->stats()));
      if (run_.cache) LogInfo(RedisStatsLine(run_.cache->counters()));
      (*stats)();
    });
  };
  (*stats)();
}

void Daemon::Drain() {
  if (drain_started_) return;
  drain_started_ = true;
  drain_timer_.cancel();
  run_.server->Drain([this] {
    if (admin_) admin_->Stop();
    io_.stop();
  });
}

int Daemon::Fail(const std::string& why) {
  LogEvent(LogLevel::kError, "start_failed", why, {{"reason", why}});
  io_.stop();
  if (io_thread_.joinable()) io_thread_.join();
  return 1;
}

// A replicated group: join it, answer registers NOT_PRIMARY and follow the
// primary until this node is elected (group.h). SIGTERM meanwhile stops it.
Status Daemon::JoinGroup() {
  readiness_.standby = true;
  auto group = Group::Join(
      config_, [](const std::string& line) { LogEvent(LogLevel::kInfo, "group", line); },
      [](const std::string& line) { LogEvent(LogLevel::kWarn, "group", line); });
  if (!group.ok()) return group.status();
  group_ = std::move(*group);
  group_->OnDeposed([this](const std::string& why) {
    switch_.Serve(nullptr);  // nothing more is acknowledged
    LogEvent(LogLevel::kWarn, "deposed",
             "no longer the primary (" + why + "); starting again as a standby");
    restart_();
  });
  std::promise<Status> listening;
  asio::post(io_, [&] {
    Status s = StartListener();
    if (s.ok()) {
      std::cout << "loyaltyd listening on " << HostPort(listen_host_, run_.server->port())
                << " as a standby (node " << config_.node_id
                << "): registers are sent to the primary" << std::endl;
      stop_signals_ = std::make_unique<asio::signal_set>(io_, SIGINT, SIGTERM);
      stop_signals_->async_wait([this](const boost::system::error_code& ec, int) {
        if (ec) return;
        group_stop_ = true;
        group_->Stop();
      });
    }
    listening.set_value(s);
  });
  if (Status s = listening.get_future().get(); !s.ok()) return s;
  if (Status s = group_->WaitUntilPrimary(); !s.ok()) return s;
  std::promise<void> quiet;  // the standby's signal set gives way to WaitSignals
  asio::post(io_, [&] {
    stop_signals_.reset();
    quiet.set_value();
  });
  quiet.get_future().get();
  return Status::Ok();
}

int Daemon::Serve() {
  LogInfo(build_info::VersionLine("loyaltyd"));
  if (Status s = StartAdmin(); !s.ok()) return Fail(s.message());
  auto guard = asio::make_work_guard(io_);
  io_thread_ = std::thread([this] { io_.run(); });
  if (!config_.zookeeper.empty()) {
    if (Status s = JoinGroup(); !s.ok()) {
      if (!group_stop_) return Fail("group: " + s.message());
      LogEvent(LogLevel::kInfo, "stop", "stopped while a standby; bye");
      io_.stop();
      io_thread_.join();
      return 0;
    }
  }
  if (Status s = Build(); !s.ok()) return Fail(s.message());
  std::promise<Status> started;
  asio::post(io_, [&] { started.set_value(StartServing()); });
  if (Status s = started.get_future().get(); !s.ok()) return Fail(s.ToString());
  guard.reset();
  io_thread_.join();
  worker_.Stop();
  reports_.Stop();
  run_.backups->Stop();
  run_.rfm_job->Stop();
  run_.runtime->Stop();
  LogInfo(RuntimeStatsLine(run_.runtime->stats()));
  if (run_.outbox) run_.outbox->Stop();  // what is left goes at the next start
  if (follow_events_) {
    const Status kept =
        run_.store->PutMeta({{store_keys::kEventClockKey, std::to_string(event_clock_.Now())}});
    if (!kept.ok()) LogWarn("--clock event: could not keep the clock: " + kept.message());
  }
  if (run_.cache) {
    run_.cache->Stop();
    LogInfo(RedisStatsLine(run_.cache->counters()));
  }
  readiness_.store.store(nullptr);
  LogEvent(LogLevel::kInfo, "stop", "stopped; bye");
  return 0;
}

}  // namespace

}  // namespace loyalty

int main(int argc, char** argv) {
  // A write to a closed socket or pipe (stdout read by a supervisor that
  // went away) is an error to handle, never the end of the server.
  std::signal(SIGPIPE, SIG_IGN);
  CLI::App app{"loyaltyd: the loyalty engine server"};
  app.set_version_flag("--version", loyalty::build_info::VersionLine("loyaltyd"),
                       "print the version, git commit and build type, then exit");
  loyalty::Flags flags;
  loyalty::AddConfigFlags(app, flags);
  CLI11_PARSE(app, argc, argv);
  loyalty::config_file::Problems problems;
  auto config = loyalty::BuildConfig(flags, environ, problems);
  if (flags.check_config) return loyalty::CheckConfig(config, flags, problems);
  if (!problems.empty()) {
    for (const auto& p : problems) std::cerr << "loyaltyd: " << p << "\n";
    return 1;
  }
  if (flags.print_config) {
    std::cout << loyalty::config_file::Print(config);
    return 0;
  }
  loyalty::SetUpLog(config.log_format == "json");
  for (const auto& w : flags.warnings) loyalty::LogWarn(w);
  // A deposed primary starts again as a standby: the same program and
  // arguments, with the admin tokens as verifiers only (the secrets were
  // wiped from the environment), every other descriptor closed.
  const std::string verifiers = loyalty::TokenVerifiers(config);
  auto tokens = loyalty::TakeTokens(config);
  auto restart = [argv, verifiers] {
    if (!verifiers.empty()) ::setenv("LOYALTY_ADMIN_TOKENS", verifiers.c_str(), 1);
    ::close_range(3, ~0U, 0);
    ::execv("/proc/self/exe", argv);
    std::_Exit(75);  // EX_TEMPFAIL: a supervisor starts it again
  };
  return loyalty::Daemon(config, std::move(tokens), config.clock == "event", restart).Serve();
}
