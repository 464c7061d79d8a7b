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
//   loyalty_cache_up, loyalty_cache_publish_lag_seconds, loyalty_cache_backlog
//                                                   gauges, only with a cache
//   loyalty_admin_refused_total{code}               counter: refused admin requests
//   loyalty_budget_points_remaining{rule}            gauge: per budgeted earn rule of the
//                                                   rules in force (rule ids, not customers)
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
#include "engine/runtime/runtime.h"

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
  void SampleRfm(int64_t computed_ms, int64_t now_ms) {
    rfm_age_.Set(computed_ms == 0 ? -1 : double(now_ms - computed_ms) / 1000);
  }
  // Copies what the TCP server and the cache count into the families.
  void SampleServer(const net::ServerCounters& c, std::size_t connections);
  void SampleAdmin(std::size_t connections) { admin_connections_.Set(double(connections)); }
  void SampleCache(const redis::PublisherCounters* c);  // null: no cache configured
  // Budget left per budgeted rule of `rules`, given the points used so far.
  void SampleBudgets(const RuleSet& rules, const std::map<std::string, int64_t>& used);

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
  prometheus::Family<prometheus::Gauge>& cache_up_;  // samples added with a cache only
  prometheus::Family<prometheus::Gauge>& cache_lag_;
  prometheus::Family<prometheus::Gauge>& cache_backlog_;
  prometheus::Family<prometheus::Gauge>& budget_remaining_;
  net::ServerCounters seen_;  // what SampleServer already added
};

}  // namespace loyalty
