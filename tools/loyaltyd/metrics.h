// Metrics: loyaltyd's Prometheus families (prometheus-cpp's core registry,
// served by the admin API at GET /metrics in the text format). No customer
// or card id is ever a label: labels are event types, outcomes, reasons,
// listeners and HTTP status codes only.
//
//   loyalty_events_total{type,outcome}              counter
//   loyalty_decision_latency_seconds{type}          histogram: accepted -> reply
//   loyalty_commit_group_size                       histogram: events per commit
//   loyalty_commit_seconds                          histogram: WriteBatch + WAL fsync
//   loyalty_connections{listener}                   gauge: registers | admin
//   loyalty_frames_rejected_total{reason}           counter
//   loyalty_rules_version                           gauge: the active rule set
//   loyalty_ready                                   gauge: 1 when /readyz says ready
//   loyalty_rfm_quantiles_age_seconds               gauge: since the RFM job's last run
//   loyalty_points_outstanding                      gauge: points all customers hold (at that run)
//   loyalty_points_outstanding_value_minor{currency}  gauge: the discount they buy, minor units
//   loyalty_cache_up, loyalty_cache_publish_lag_seconds, loyalty_cache_backlog
//                                                   gauges, only with a cache
//   loyalty_admin_refused_total{code}               counter: refused admin requests
//   loyalty_budget_points_remaining{rule}            gauge: per budgeted earn rule of the
//                                                   rules in force (rule ids, not customers)
//   loyalty_budget_points{rule}                     gauge: that rule's whole budget
//   loyalty_build_info{version,commit,build_type}   gauge: 1
//   loyalty_store_writable                          gauge: 0 while the store refuses writes
//   loyalty_commit_failures_total                   counter: commits that failed or were refused
//   loyalty_disk_free_bytes, loyalty_disk_reserve_bytes   gauges: the data disk (disk_guard.h)
//   loyalty_rocksdb_live_sst_bytes, loyalty_rocksdb_pending_compaction_bytes,
//   loyalty_rocksdb_writes_stopped                  gauges
//   loyalty_rocksdb_write_stalls_total              counter
//   loyalty_txn_ids_stored                          gauge: transaction ids kept (estimate)
//   loyalty_txn_ids_pruned_total                    counter: dropped by the retention
//   loyalty_backup_last_success_timestamp_seconds   gauge: 0 when never
//   loyalty_backup_age_seconds                      gauge: since the last verified backup (+Inf)
//   loyalty_backup_running                          gauge: 1 while a backup runs
//   loyalty_backups_total{result}                   counter: ok | failed, since start
//   loyalty_cluster_role{role}                      gauge: 1 for single | primary | standby | away
//   loyalty_cluster_epoch                           gauge: the newest epoch known (group.h)
//   loyalty_failovers_total                         counter: times this node became primary
//   loyalty_replication_applied_seq                 gauge: the last batch in this node's store
//   loyalty_replication_acked_seq                   gauge: primary: the last batch on a standby
//   loyalty_replication_lag_batches                 gauge: primary: batches on no standby yet;
//                                                   standby: batches behind the primary
//   loyalty_replication_standbys                    gauge: primary: standbys following now
//   loyalty_standby_lookups_age_seconds             gauge: standby_lookups on: since the copy
//                                                   it answers from was brought up to date
//                                                   (-1: not answering lookups)
//   process_cpu_seconds_total, process_resident_memory_bytes, process_open_fds,
//   process_max_fds, process_start_time_seconds     the usual process figures (/proc/self)
//
// Thread safety: the observer methods from any thread (prometheus-cpp
// metrics are atomic); Sample* and Serialize on the io thread.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <map>
#include <memory>
#include <string>

#include "adapters/net/server.h"
#include "adapters/redis/publisher.h"
#include "adapters/rocksdb/store.h"
#include "engine/runtime/runtime.h"
#include "tools/wiring/outbox_dispatcher.h"

namespace loyalty {

class Metrics final : public RuntimeObserver {
 public:
  Metrics();

  void OnEvent(EventKind kind, std::string_view outcome, int64_t latency_ns) override;
  void OnRejected(std::string_view reason) override;
  void OnCommit(std::size_t group_size, int64_t commit_ns) override;

  void OnAdminRefused(unsigned status);
  void SetRulesVersion(uint32_t version) { rules_version_.Set(version); }
  void SetReady(bool ready) { ready_.Set(ready ? 1 : 0); }
  // `computed_ms` 0: no quantiles yet (-1).
  // The points customers hold and what they would buy, as of the RFM job's
  // last run (it reads every customer).
  void SamplePoints(int64_t points, const RuleSet& rules);
  void SampleRfm(int64_t computed_ms, int64_t now_ms) {
    rfm_age_.Set(computed_ms == 0 ? -1 : double(now_ms - computed_ms) / 1000);
  }
  // Copies what the TCP server and the cache count into the families.
  void SampleServer(const net::ServerCounters& c, std::size_t connections);
  void SampleAdmin(std::size_t connections) { admin_connections_.Set(double(connections)); }
  void SampleCache(const redis::PublisherCounters* c);  // null: no cache configured
  void SampleOutbox(const DispatcherStats& s);
  // Budget left per budgeted rule of `rules`, given the points used so far.
  void SampleBudgets(const RuleSet& rules, const std::map<std::string, int64_t>& used);
  void SampleStore(const StoreFigures& f, bool writable);
  struct BackupFigures {
    double age_seconds = 0;  // +Inf when none
    int64_t last_ms = 0;     // 0 when none
    bool running = false;
    uint64_t succeeded = 0, failed = 0;  // cumulative
  };
  void SampleBackups(const BackupFigures& b);
  struct GroupFigures {
    std::string role = "single";
    uint64_t epoch = 0, failovers = 0, applied_seq = 0, acked_seq = 0, lag_batches = 0;
    uint64_t standbys = 0;
    double lookups_age_seconds = -1;  // standby_lookups: -1 when not answering
  };
  void SampleGroup(const GroupFigures& g);
  void SampleProcess();

  std::string Serialize() const;

 private:
  prometheus::Counter& RejectedCounter(const std::string& reason);
  prometheus::Counter& EventCounter(EventKind kind, std::string_view outcome);
  static constexpr std::size_t kKindsMax = 16;  // EventKind values are below it
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& events_;
  prometheus::Family<prometheus::Histogram>& latency_;
  // One histogram per event type, made up front: no lookup on the event path.
  std::array<prometheus::Histogram*, kKindsMax> latency_by_kind_{};
  prometheus::Histogram& group_size_;
  prometheus::Histogram& commit_seconds_;
  prometheus::Family<prometheus::Counter>& rejected_;
  prometheus::Family<prometheus::Counter>& admin_refused_;
  prometheus::Family<prometheus::Gauge>& connections_;
  prometheus::Gauge& register_connections_;
  prometheus::Gauge& admin_connections_;
  prometheus::Gauge& rules_version_;
  prometheus::Gauge& ready_;
  prometheus::Gauge& rfm_age_;
  prometheus::Gauge& points_outstanding_;
  prometheus::Family<prometheus::Gauge>& points_value_;
  prometheus::Family<prometheus::Gauge>& cache_up_;  // samples added with a cache only
  prometheus::Family<prometheus::Gauge>& cache_lag_;
  prometheus::Family<prometheus::Gauge>& cache_backlog_;
  prometheus::Family<prometheus::Gauge>& budget_remaining_;
  prometheus::Family<prometheus::Gauge>& budget_total_;
  prometheus::Gauge& store_writable_;
  prometheus::Counter& commit_failures_;
  prometheus::Gauge& disk_free_;
  prometheus::Gauge& disk_reserve_;
  prometheus::Gauge& live_sst_;
  prometheus::Gauge& pending_compaction_;
  prometheus::Gauge& writes_stopped_;
  prometheus::Counter& write_stalls_;
  prometheus::Gauge& txn_ids_;
  prometheus::Counter& txn_ids_pruned_;
  prometheus::Gauge& backup_last_;
  prometheus::Gauge& backup_age_;
  prometheus::Gauge& backup_running_;
  prometheus::Family<prometheus::Counter>& backups_;
  prometheus::Counter& backups_ok_;
  prometheus::Counter& backups_failed_;
  prometheus::Counter& cpu_seconds_;
  prometheus::Gauge& rss_;
  prometheus::Gauge& open_fds_;
  prometheus::Gauge& max_fds_;
  prometheus::Gauge& start_time_;
  prometheus::Gauge& outbox_backlog_;
  prometheus::Gauge& outbox_oldest_age_;
  prometheus::Counter& outbox_delivered_;
  prometheus::Counter& outbox_failures_;
  prometheus::Counter& outbox_dead_;
  prometheus::Family<prometheus::Gauge>& group_role_;
  std::map<std::string, prometheus::Gauge*> group_roles_;
  prometheus::Gauge& group_epoch_;
  prometheus::Counter& failovers_;
  prometheus::Gauge& applied_seq_;
  prometheus::Gauge& acked_seq_;
  prometheus::Gauge& lag_batches_;
  prometheus::Gauge& standbys_;
  prometheus::Gauge& standby_lookups_age_;
  uint64_t seen_failovers_ = 0;
  uint64_t seen_outbox_delivered_ = 0, seen_outbox_failures_ = 0, seen_outbox_dead_ = 0;
  net::ServerCounters seen_;  // what SampleServer already added
  // What the cumulative samples already added (counters only go up).
  uint64_t seen_commit_failures_ = 0, seen_write_stalls_ = 0, seen_txn_ids_pruned_ = 0;
  uint64_t seen_backups_ok_ = 0, seen_backups_failed_ = 0;
  double seen_cpu_seconds_ = 0;
};

// One line an operator (or loyalty-bench) can read: SIGUSR1 prints it.
std::string RuntimeStatsLine(const RuntimeStats& st);

}  // namespace loyalty
