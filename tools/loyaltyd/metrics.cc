#include "tools/loyaltyd/metrics.h"

#include <prometheus/text_serializer.h>
#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <tuple>

#include "tools/build_info/build_info.h"

namespace loyalty {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;
using prometheus::Histogram;

// 50 us .. ~1.6 s, doubling: a decision is answered in well under a
// millisecond plus one fsync.
Histogram::BucketBoundaries SecondsBuckets() {
  Histogram::BucketBoundaries b;
  for (double s = 50e-6; s < 2.0; s *= 2) b.push_back(s);
  return b;
}

Histogram::BucketBoundaries GroupBuckets() { return {1, 2, 4, 8, 16, 32, 64, 128, 256, 512}; }

prometheus::Gauge& OneGauge(prometheus::Registry& r, const char* name, const char* help) {
  return BuildGauge().Name(name).Help(help).Register(r).Add({});
}
prometheus::Counter& OneCounter(prometheus::Registry& r, const char* name, const char* help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(r).Add({});
}

}  // namespace

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      events_(BuildCounter()
                  .Name("loyalty_events_total")
                  .Help("Requests answered, by event type and outcome")
                  .Register(*registry_)),
      latency_(BuildHistogram()
                   .Name("loyalty_decision_latency_seconds")
                   .Help("From a request accepted to its reply, commit included")
                   .Register(*registry_)),
      group_size_(BuildHistogram()
                      .Name("loyalty_commit_group_size")
                      .Help("Events committed by one WriteBatch and fsync")
                      .Register(*registry_)
                      .Add({}, GroupBuckets())),
      commit_seconds_(BuildHistogram()
                          .Name("loyalty_commit_seconds")
                          .Help("Time to write a group's batch and fsync the WAL")
                          .Register(*registry_)
                          .Add({}, SecondsBuckets())),
      rejected_(BuildCounter()
                    .Name("loyalty_frames_rejected_total")
                    .Help("Frames, requests and connections refused before a decision, by reason")
                    .Register(*registry_)),
      admin_refused_(BuildCounter()
                         .Name("loyalty_admin_refused_total")
                         .Help("Admin API requests refused, by HTTP status")
                         .Register(*registry_)),
      connections_(BuildGauge()
                       .Name("loyalty_connections")
                       .Help("Open connections, by listener")
                       .Register(*registry_)),
      register_connections_(connections_.Add({{"listener", "registers"}})),
      admin_connections_(connections_.Add({{"listener", "admin"}})),
      rules_version_(BuildGauge()
                         .Name("loyalty_rules_version")
                         .Help("Version of the rule set in force")
                         .Register(*registry_)
                         .Add({})),
      ready_(BuildGauge()
                 .Name("loyalty_ready")
                 .Help("1 when store is open, rules are loaded and not draining")
                 .Register(*registry_)
                 .Add({})),
      rfm_age_(BuildGauge()
                   .Name("loyalty_rfm_quantiles_age_seconds")
                   .Help("Since the RFM quantiles in force were computed (-1: never)")
                   .Register(*registry_)
                   .Add({})),
      points_outstanding_(OneGauge(*registry_, "loyalty_points_outstanding",
                                   "Points all customers hold, as of the RFM job's last run")),
      points_value_(BuildGauge()
                        .Name("loyalty_points_outstanding_value_minor")
                        .Help("The discount the outstanding points buy, in minor units")
                        .Register(*registry_)),
      cache_up_(BuildGauge()
                    .Name("loyalty_cache_up")
                    .Help("1 when the Redis profile cache is reachable (absent: no cache)")
                    .Register(*registry_)),
      cache_lag_(BuildGauge()
                     .Name("loyalty_cache_publish_lag_seconds")
                     .Help("Commit to Redis acknowledged, median of the last 8192 commits")
                     .Register(*registry_)),
      cache_backlog_(BuildGauge()
                         .Name("loyalty_cache_backlog")
                         .Help("Commits waiting to be published to Redis")
                         .Register(*registry_)),
      budget_remaining_(BuildGauge()
                            .Name("loyalty_budget_points_remaining")
                            .Help("Points a budgeted earn rule may still award, all customers")
                            .Register(*registry_)),
      budget_total_(BuildGauge()
                        .Name("loyalty_budget_points")
                        .Help("The whole budget of a budgeted earn rule, in points")
                        .Register(*registry_)),
      store_writable_(OneGauge(*registry_, "loyalty_store_writable",
                               "1 while the store takes writes; 0 while it refuses them")),
      commit_failures_(OneCounter(*registry_, "loyalty_commit_failures_total",
                                  "Commits that failed or were refused (the disk is full...)")),
      disk_free_(OneGauge(*registry_, "loyalty_disk_free_bytes",
                          "Free bytes on the data directory's filesystem")),
      disk_reserve_(OneGauge(*registry_, "loyalty_disk_reserve_bytes",
                             "The disk reserve: writes stop when less is free (0: none)")),
      live_sst_(OneGauge(*registry_, "loyalty_rocksdb_live_sst_bytes",
                         "Bytes of RocksDB table files in use")),
      pending_compaction_(OneGauge(*registry_, "loyalty_rocksdb_pending_compaction_bytes",
                                   "Bytes RocksDB estimates compaction still has to rewrite")),
      writes_stopped_(OneGauge(*registry_, "loyalty_rocksdb_writes_stopped",
                               "1 while RocksDB stops writes (compaction far behind)")),
      write_stalls_(OneCounter(*registry_, "loyalty_rocksdb_write_stalls_total",
                               "Times RocksDB slowed or stopped writes")),
      txn_ids_(OneGauge(*registry_, "loyalty_txn_ids_stored",
                        "Transaction ids kept for deduplication (RocksDB's estimate)")),
      txn_ids_pruned_(OneCounter(*registry_, "loyalty_txn_ids_pruned_total",
                                 "Transaction ids dropped by the retention (txn_retention_days)")),
      backup_last_(OneGauge(*registry_, "loyalty_backup_last_success_timestamp_seconds",
                            "When the last verified backup was taken (0: never)")),
      backup_age_(OneGauge(*registry_, "loyalty_backup_age_seconds",
                           "Seconds since the last verified backup (+Inf: none)")),
      backup_running_(OneGauge(*registry_, "loyalty_backup_running", "1 while a backup runs")),
      backups_(BuildCounter()
                   .Name("loyalty_backups_total")
                   .Help("Backups since start, by result")
                   .Register(*registry_)),
      backups_ok_(backups_.Add({{"result", "ok"}})),
      backups_failed_(backups_.Add({{"result", "failed"}})),
      cpu_seconds_(OneCounter(*registry_, "process_cpu_seconds_total",
                              "User and system CPU time spent, in seconds")),
      rss_(OneGauge(*registry_, "process_resident_memory_bytes", "Resident memory, in bytes")),
      open_fds_(OneGauge(*registry_, "process_open_fds", "Open file descriptors")),
      max_fds_(OneGauge(*registry_, "process_max_fds", "The limit on open file descriptors")),
      start_time_(OneGauge(*registry_, "process_start_time_seconds",
                           "When the process started, seconds since the epoch")),
      outbox_backlog_(OneGauge(
          *registry_, "loyalty_outbox_backlog",
          "Outbox records (the events of one commit each) not yet delivered or given up on")),
      outbox_oldest_age_(OneGauge(*registry_, "loyalty_outbox_oldest_age_seconds",
                                  "How long the batch at the head of the outbox has been failing")),
      outbox_delivered_(OneCounter(*registry_, "loyalty_outbox_delivered_total",
                                   "Events out delivered to every sink")),
      outbox_failures_(OneCounter(*registry_, "loyalty_outbox_failures_total",
                                  "Failed deliveries of a batch of events out")),
      outbox_dead_(OneCounter(*registry_, "loyalty_outbox_dead_letters_total",
                              "Events out given up on (dead letters)")),
      group_role_(BuildGauge()
                      .Name("loyalty_cluster_role")
                      .Help("1 for this node's role: single, primary, standby or away")
                      .Register(*registry_)),
      group_epoch_(OneGauge(*registry_, "loyalty_cluster_epoch",
                            "The newest epoch this node knows (0: single node)")),
      failovers_(OneCounter(*registry_, "loyalty_failovers_total",
                            "Times this node became primary since it started")),
      applied_seq_(OneGauge(*registry_, "loyalty_replication_applied_seq",
                            "The last batch in this node's store (RocksDB sequence number)")),
      acked_seq_(OneGauge(*registry_, "loyalty_replication_acked_seq",
                          "Primary: the last batch a standby has on disk")),
      lag_batches_(OneGauge(*registry_, "loyalty_replication_lag_batches",
                            "Primary: batches no standby has yet; standby: behind the primary")),
      standbys_(OneGauge(*registry_, "loyalty_replication_standbys",
                         "Primary: standbys following it now")),
      standby_lookups_age_(
          OneGauge(*registry_, "loyalty_standby_lookups_age_seconds",
                   "Standby lookups: since the copy they read was brought up to date (-1: none)")) {
  standby_lookups_age_.Set(-1);
  for (const char* role : {"single", "primary", "standby", "away"}) {
    group_roles_[role] = &group_role_.Add({{"role", role}});
  }
  group_roles_["single"]->Set(1);
  BuildGauge()
      .Name("loyalty_build_info")
      .Help("The running build: version, git commit, build type (always 1)")
      .Register(*registry_)
      .Add({{"version", build_info::Version()},
            {"commit", build_info::Commit()},
            {"build_type", build_info::BuildType()}})
      .Set(1);
  start_time_.SetToCurrentTime();
  for (std::size_t k = 0; k < kKindsMax; ++k) {
    const std::string type = EventKindName(static_cast<EventKind>(k));
    if (type == "unknown" && k != 0) {
      latency_by_kind_[k] = latency_by_kind_[0];
      continue;
    }
    latency_by_kind_[k] = &latency_.Add({{"type", type}}, SecondsBuckets());
  }
}

// Outcomes are static strings (OutcomeName, literals): a thread's cache keyed
// by their address finds the counter without the family's lock. Metrics
// lives as long as the process, so the pointers stay valid.
prometheus::Counter& Metrics::EventCounter(EventKind kind, std::string_view outcome) {
  using Key = std::tuple<const Metrics*, int, const char*, std::size_t>;
  thread_local std::map<Key, prometheus::Counter*> cache;
  const Key key{this, static_cast<int>(kind), outcome.data(), outcome.size()};
  auto it = cache.find(key);
  if (it == cache.end()) {
    it = cache
             .emplace(key, &events_.Add(
                               {{"type", EventKindName(kind)}, {"outcome", std::string(outcome)}}))
             .first;
  }
  return *it->second;
}

void Metrics::OnEvent(EventKind kind, std::string_view outcome, int64_t latency_ns) {
  EventCounter(kind, outcome).Increment();
  const auto k = static_cast<std::size_t>(kind);
  latency_by_kind_[k < kKindsMax ? k : 0]->Observe(double(latency_ns) * 1e-9);
}

prometheus::Counter& Metrics::RejectedCounter(const std::string& reason) {
  return rejected_.Add({{"reason", reason}});
}

void Metrics::OnRejected(std::string_view reason) {
  RejectedCounter(std::string(reason)).Increment();
}

void Metrics::OnCommit(std::size_t group_size, int64_t commit_ns) {
  group_size_.Observe(double(group_size));
  commit_seconds_.Observe(double(commit_ns) * 1e-9);
}

void Metrics::OnAdminRefused(unsigned status) {
  admin_refused_.Add({{"code", std::to_string(status)}}).Increment();
}

void Metrics::SampleServer(const net::ServerCounters& c, std::size_t connections) {
  register_connections_.Set(double(connections));
  auto add = [&](const char* reason, uint64_t now, uint64_t& seen) {
    RejectedCounter(reason).Increment(double(now - seen));
    seen = now;
  };
  add("malformed", c.frames_malformed, seen_.frames_malformed);
  add("oversized", c.frames_oversized, seen_.frames_oversized);
  add("timeout", c.timeouts, seen_.timeouts);
  add("connections_max", c.connections_refused, seen_.connections_refused);
  // The register channel's refusals (docs/SECURITY.md), by reason; never by
  // credential or card.
  add("tls_handshake", c.tls_handshakes_failed, seen_.tls_handshakes_failed);
  add("auth_no_hello", c.auth_refused[int(net::AuthRefusal::kNone)],
      seen_.auth_refused[int(net::AuthRefusal::kNone)]);
  for (auto r : {net::AuthRefusal::kMalformed, net::AuthRefusal::kUnknownKey,
                 net::AuthRefusal::kWrongSecret, net::AuthRefusal::kRevoked}) {
    add((std::string("auth_") + net::AuthRefusalName(r)).c_str(), c.auth_refused[int(r)],
        seen_.auth_refused[int(r)]);
  }
  add("auth_timeout", c.auth_timeouts, seen_.auth_timeouts);
  add("unauthenticated_evicted", c.unauthenticated_evicted, seen_.unauthenticated_evicted);
  add("permission_denied", c.permission_denied, seen_.permission_denied);
  add("lookup_rate", c.lookups_rate_limited, seen_.lookups_rate_limited);
  add("reply_budget", c.reply_budget_disconnects, seen_.reply_budget_disconnects);
  add("credential_revoked", c.revoked_disconnects, seen_.revoked_disconnects);
}

void Metrics::SampleCache(const redis::PublisherCounters* c) {
  if (!c) return;  // no cache configured: its gauges stay out of the scrape
  cache_up_.Add({}).Set(c->cache_up ? 1 : 0);
  cache_lag_.Add({}).Set(double(c->lag_p50_us) * 1e-6);
  cache_backlog_.Add({}).Set(double(c->backlog));
}

void Metrics::SampleBudgets(const RuleSet& rules, const std::map<std::string, int64_t>& used) {
  for (const EarnRule& rule : rules.earn_rules) {
    if (rule.budget_points <= 0) continue;
    const auto it = used.find(rule.id);
    const int64_t spent = it == used.end() ? 0 : it->second;
    budget_remaining_.Add({{"rule", rule.id}})
        .Set(double(rule.budget_points > spent ? rule.budget_points - spent : 0));
    budget_total_.Add({{"rule", rule.id}}).Set(double(rule.budget_points));
  }
}

namespace {

// Adds what a cumulative figure gained since the last sample.
template <typename T>
void AddSince(prometheus::Counter& counter, T now, T& seen) {
  if (now > seen) counter.Increment(double(now - seen));
  seen = now;
}

}  // namespace

void Metrics::SamplePoints(int64_t points, const RuleSet& rules) {
  points_outstanding_.Set(double(points));
  points_value_.Add({{"currency", rules.program.currency}})
      .Set(double(points) * double(rules.program.point_value_minor));
}

void Metrics::SampleStore(const StoreFigures& f, bool writable) {
  store_writable_.Set(writable ? 1 : 0);
  AddSince(commit_failures_, f.commit_failures, seen_commit_failures_);
  disk_free_.Set(double(f.free_bytes));
  disk_reserve_.Set(double(f.reserve_bytes));
  live_sst_.Set(double(f.live_sst_bytes));
  pending_compaction_.Set(double(f.pending_compaction_bytes));
  writes_stopped_.Set(f.writes_stopped ? 1 : 0);
  AddSince(write_stalls_, f.write_stalls, seen_write_stalls_);
  txn_ids_.Set(double(f.txn_ids_estimate));
  AddSince(txn_ids_pruned_, f.txn_ids_pruned, seen_txn_ids_pruned_);
}

void Metrics::SampleBackups(const BackupFigures& b) {
  backup_age_.Set(b.age_seconds);
  backup_last_.Set(double(b.last_ms) / 1000);
  backup_running_.Set(b.running ? 1 : 0);
  AddSince(backups_ok_, b.succeeded, seen_backups_ok_);
  AddSince(backups_failed_, b.failed, seen_backups_failed_);
}

// /proc/self: CPU (stat fields 14 and 15, clock ticks), resident pages
// (statm), open descriptors (fd/).
void Metrics::SampleProcess() {
  std::ifstream stat("/proc/self/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const std::size_t paren = text.rfind(')');  // the command name may hold spaces
  if (paren != std::string::npos) {
    std::istringstream fields(text.substr(paren + 2));
    std::string f;
    double ticks = 0;
    for (int i = 3; i <= 15 && fields >> f; ++i) {
      if (i >= 14) ticks += std::strtod(f.c_str(), nullptr);
    }
    AddSince(cpu_seconds_, ticks / double(::sysconf(_SC_CLK_TCK)), seen_cpu_seconds_);
  }
  std::ifstream statm("/proc/self/statm");
  uint64_t pages = 0, resident = 0;
  if (statm >> pages >> resident) rss_.Set(double(resident) * double(::sysconf(_SC_PAGESIZE)));
  std::error_code ec;
  std::size_t fds = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    fds += 1;
  }
  open_fds_.Set(double(fds));
  struct rlimit limit {};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0) max_fds_.Set(double(limit.rlim_cur));
}

std::string Metrics::Serialize() const {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, registry_->Collect());
  return out.str();
}

void Metrics::SampleGroup(const GroupFigures& g) {
  for (auto& [role, gauge] : group_roles_) gauge->Set(role == g.role ? 1 : 0);
  group_epoch_.Set(double(g.epoch));
  AddSince(failovers_, g.failovers, seen_failovers_);
  applied_seq_.Set(double(g.applied_seq));
  acked_seq_.Set(double(g.acked_seq));
  lag_batches_.Set(double(g.lag_batches));
  standbys_.Set(double(g.standbys));
  standby_lookups_age_.Set(g.lookups_age_seconds);
}

void Metrics::SampleOutbox(const DispatcherStats& s) {
  outbox_backlog_.Set(double(s.backlog));
  outbox_oldest_age_.Set(double(s.oldest_age_ms) * 1e-3);
  AddSince(outbox_delivered_, s.delivered, seen_outbox_delivered_);
  AddSince(outbox_failures_, s.failures, seen_outbox_failures_);
  AddSince(outbox_dead_, s.dead_lettered, seen_outbox_dead_);
}

std::string RuntimeStatsLine(const RuntimeStats& st) {
  return "stats events=" + std::to_string(st.events) + " groups=" + std::to_string(st.groups) +
         " grouped_events=" + std::to_string(st.grouped_events) +
         " replays=" + std::to_string(st.replays) + " rejected=" + std::to_string(st.rejected) +
         " lookups_direct=" + std::to_string(st.lookups_direct) +
         " commit_failures=" + std::to_string(st.commit_failures);
}

}  // namespace loyalty
