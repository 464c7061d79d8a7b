// loyaltyd serving: the console's live figures, the metrics' samples,
// signals, the drain (daemon.h).
#include "tools/loyaltyd/daemon.h"

#include <future>
#include <iostream>

namespace loyalty {

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
    const int64_t read_at = standby_lookups_ ? standby_lookups_->read_at_ms() : 0;
    metrics_.SampleGroup({g.role, g.epoch, g.failovers, g.applied_seq, g.acked_seq, g.lag_batches,
                          g.standbys,
                          read_at == 0 ? -1.0 : double(SystemNowMs() - read_at) * 1e-3});
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

void Daemon::AddClusterRoutes(http::Router& router) {
  router.Add({"GET", "/v1/cluster", std::nullopt,  // like /readyz and /metrics
              [this](const http::Request&, http::Respond respond) {
                if (!group_) return respond(admin::Ok({{"role", "single"}}));
                nlohmann::json j = group_->Describe();
                if (standby_lookups_) j["standby_lookups"] = standby_lookups_->Describe();
                respond(admin::Ok(j));
              }});
  router.Add({"POST", "/v1/cluster/handover", http::Permission::kClusterHandover,
              [this](const http::Request& r, http::Respond respond) { HandOver(r, respond); }});
}

void Daemon::Settle(http::Response response, http::Respond send) {
  Group* group = group_.get();
  if (group == nullptr) return send(std::move(response));
  group->AcknowledgeLater([response = std::move(response), send](Status s) mutable {
    if (s.ok()) return send(std::move(response));
    send(http::JsonError(503, "NOT_REPLICATED",
                         "the change is made on this node but not acknowledged: " + s.message() +
                             ". A failover may lose it: look (GET) before you make it again"));
  });
}

// POST /v1/cluster/handover: a planned switchover, on the worker (it waits
// for a standby to have every batch, up to 5 s).
void Daemon::HandOver(const http::Request& r, const http::Respond& respond) {
  if (!group_) {
    return respond(http::JsonError(409, "NOT_IN_A_GROUP", "this node runs alone (no zookeeper)"));
  }
  const bool queued = worker_.Queue(
      [this, r, respond] {
        if (run_.audit) {
          (void)run_.audit->Append(admin::AuditEntryOf(*r.principal, "cluster.handover",
                                                       config_.node_id, admin::WallNowMs()));
        }
        const Status s = group_->HandOver(std::chrono::milliseconds(5000));
        if (s.code() == StatusCode::kInvalidArgument) {
          return respond(http::JsonError(409, "NOT_PRIMARY", s.message()));
        }
        if (!s.ok()) return respond(http::JsonError(503, "NO_STANDBY_CAUGHT_UP", s.message()));
        respond(admin::Ok({{"handed_over", true}, {"node_id", config_.node_id}}));
      },
      respond);
  (void)queued;  // refused: `respond` already said busy
}

}  // namespace loyalty
