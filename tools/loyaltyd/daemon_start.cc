// loyaltyd's startup, in the order things are built (daemon.h).
#include <filesystem>
#include <future>
#include <iostream>

#include "tools/loyaltyd/daemon.h"

namespace loyalty {

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
    // A standby has no runtime: the rules of its copy, when it answers lookups.
    const auto rules = runtime != nullptr ? runtime->rules()
                       : standby_lookups_ ? standby_lookups_->rules()
                                          : nullptr;
    if (!rules) return;
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

// A replicated group: join it, answer registers NOT_PRIMARY and follow the
// primary until this node is elected (group.h). SIGTERM meanwhile stops it.
Status Daemon::JoinGroup() {
  readiness_.standby = true;
  auto group = Group::Join(
      config_, [](const std::string& line) { LogEvent(LogLevel::kInfo, "group", line); },
      [](const std::string& line) { LogEvent(LogLevel::kWarn, "group", line); });
  if (!group.ok()) return group.status();
  group_ = std::move(*group);
  if (config_.standby_lookups == "on") {
    StandbyLookupsOptions o;
    o.data_dir = config_.data_dir;
    o.node_id = config_.node_id;
    o.primary_seq = [this] { return group_->figures().primary_seq; };
    o.warn = [](const std::string& line) { LogEvent(LogLevel::kWarn, "standby_lookups", line); };
    standby_lookups_ = std::make_unique<StandbyLookups>(std::move(o));
    switch_.AnswerLookupsWith(standby_lookups_.get());
    // Opened and closed on this thread (Join, WaitUntilPrimary), as the copy is.
    group_->WatchCopy([this](bool open) {
      if (open) {
        standby_lookups_->Open();
      } else {
        standby_lookups_->Close();
      }
    });
  }
  group_->OnDeposed([this](const std::string& why) {
    switch_.Serve(nullptr);  // nothing more is acknowledged
    LogEvent(LogLevel::kWarn, "deposed",
             "no longer the primary (" + why + "); starting again as a standby");
    // Not on the election's thread, which still has to give up this node's
    // place (a handover: the standby behind takes over at once). A moment
    // for the answers already written (a handover's 200, the registers'
    // errors) to leave; nothing of this process acknowledges now.
    static std::atomic<bool> restarting{false};
    if (restarting.exchange(true)) return;
    std::thread([this] {
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      restart_();
    }).detach();
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

}  // namespace loyalty
