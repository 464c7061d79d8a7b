// AdminReports: the admin API's reports and the RFM job's endpoints, as rows
// of the router's table (README.md "Admin API"):
//   GET  /v1/reports                  the reports there are
//   GET  /v1/reports/{name}           pareto | rfm | lifecycle | nps | offers |
//                                     cost-to-serve; ?format=json (default),
//                                     text, svg (its chart) or csv (its table,
//                                     one row per decile, segment, stage...)
//   GET  /v1/rfm                      the RFM quantiles in force, and their age
//   POST /v1/rfm/recompute            recompute them now (publisher, admin)
// The reports are the CLI's (tools/report/reports.h) over the running store,
// with the rules in force and the server's clock as "now".
//
// A report reads every customer: it runs on the admin worker thread
// (worker.h), not on the io thread, one at a time; a few more wait, beyond
// that 503 BUSY. The /v1/ endpoints answer 503 NOT_READY until Attach.
//
// Thread safety: routes on the io thread; replies from the worker.
#pragma once

#include <array>
#include <atomic>
#include <functional>
#include <optional>
#include <string>

#include "adapters/http/router.h"
#include "adapters/rocksdb/store.h"
#include "engine/runtime/runtime.h"
#include "tools/loyaltyd/worker.h"
#include "tools/report/reports.h"
#include "tools/wiring/rfm_job.h"

namespace loyalty {

class AdminReports {
 public:
  explicit AdminReports(std::function<std::string()> why_not_ready);
  void AddRoutes(http::Router& router);
  void Attach(Store* store, Runtime* runtime, RfmJob* rfm_job, Worker* worker);

 private:
  void Report(const http::Request& r, http::Respond respond);
  void Rfm(const http::Request& r, http::Respond respond);
  void Recompute(const http::Request& r, http::Respond respond);
  http::Response ReportResponse(const http::Request& r);  // on the worker
  // False (after answering 503) when not attached or too busy.
  bool Queue(std::function<void()> job, const http::Respond& respond);

  std::function<std::string()> why_not_ready_;
  std::atomic<Store*> store_{nullptr};
  Runtime* runtime_ = nullptr;
  RfmJob* rfm_job_ = nullptr;
  Worker* worker_ = nullptr;
  // The latest of each report, on the worker thread only.
  static constexpr int64_t kReusedMaxMs = 60'000;
  struct Made {
    struct Key {
      uint32_t rules_version = 0;
      uint64_t events = 0;  // what the runtime has handled and swept
      uint64_t swept = 0;
      const void* rfm = nullptr;  // the quantiles in force
      friend bool operator==(const Key&, const Key&) = default;
    };
    Key key;
    TimeMs made_ms = 0;
    report::ReportOutput output;
  };
  std::array<std::optional<Made>, report::kReportNames.size()> made_;
};

}  // namespace loyalty
