// AdminReports: the admin API's reports and the RFM job's endpoints, as rows
// of the router's table (README.md "Admin API"):
//   GET  /v1/reports                  the reports there are
//   GET  /v1/reports/{name}           pareto | rfm | lifecycle | nps | offers |
//                                     cost-to-serve; ?format=json (default),
//                                     text, or svg (pareto, lifecycle, nps);
//                                     ?currency=GBP shows amounts so (text, svg)
//   GET  /v1/rfm                      the RFM quantiles in force, and their age
//   POST /v1/rfm/recompute            recompute them now (publisher, admin)
// The reports are the CLI's (tools/report/reports.h) over the running store,
// with the rules in force and the server's clock as "now".
//
// A report reads every customer: it runs on this class's own worker thread,
// not on the io thread, one at a time; a few more wait, beyond that 503
// BUSY. The /v1/ endpoints answer 503 NOT_READY until Attach.
//
// Thread safety: routes on the io thread; replies from the worker.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "adapters/http/router.h"
#include "adapters/rocksdb/store.h"
#include "engine/runtime/runtime.h"
#include "tools/wiring/rfm_job.h"

namespace loyalty {

class AdminReports {
 public:
  static constexpr std::size_t kWaitingMax = 4;  // reports queued behind the running one

  explicit AdminReports(std::function<std::string()> why_not_ready);
  ~AdminReports();  // Stop()s
  void AddRoutes(http::Router& router);
  void Attach(Store* store, Runtime* runtime, RfmJob* rfm_job);
  // Finishes the running report, answers the waiting ones 503, joins. Before
  // the store closes.
  void Stop();

 private:
  void Report(const http::Request& r, http::Respond respond);
  void Rfm(const http::Request& r, http::Respond respond);
  void Recompute(const http::Request& r, http::Respond respond);
  // False (after answering 503) when not attached or too busy.
  bool Queue(std::function<void()> job, const http::Respond& respond);
  void Work();

  std::function<std::string()> why_not_ready_;
  std::atomic<Store*> store_{nullptr};
  Runtime* runtime_ = nullptr;
  RfmJob* rfm_job_ = nullptr;
  std::mutex mu_;
  std::condition_variable ready_;
  std::deque<std::pair<std::function<void()>, http::Respond>> jobs_;
  bool stop_ = false;
  std::thread worker_;
};

}  // namespace loyalty
