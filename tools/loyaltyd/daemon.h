// Daemon: loyaltyd as it runs (main.cc parses the command line and starts
// one). Its startup, in the order things are built, is in daemon_start.cc;
// serving, signals and the drain in daemon.cc. What it does is told at the
// top of main.cc.
#pragma once

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

namespace asio = boost::asio;

// "127.0.0.1:7070", "[::1]:7070": an address as one writes it.
inline std::string HostPort(const std::string& host, unsigned port) {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

inline TimeMs SystemNowMs() {
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
    worker_.Stop();  // its jobs read the store
    if (group_) group_->WatchCopy(nullptr);
    standby_lookups_.reset();  // its thread asks group_ how far the primary is
    reports_.Stop();           // its keeper too
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
    AddClusterRoutes(router_);
    router_.SetSettle([this](http::Response response, http::Respond send) {
      Settle(std::move(response), std::move(send));
    });
  }

  int Serve();

 private:
  Status StartAdmin();
  Status Build();
  Status RestoreEventClock();
  Status StartRfmJob();
  Status JoinGroup();
  void AddClusterRoutes(http::Router& router);  // GET /v1/cluster, POST /v1/cluster/handover
  void HandOver(const http::Request& r, const http::Respond& respond);
  // A change outside the runtime (a rule set, the outbox) is answered once
  // a standby has it too, like a sale (Group::AcknowledgeLater).
  void Settle(http::Response response, http::Respond send);
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
  std::unique_ptr<StandbyLookups> standby_lookups_;  // standby_lookups: on
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

}  // namespace loyalty
