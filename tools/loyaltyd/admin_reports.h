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
// A report reads every customer (about 10 us each): all six are made at
// once (report::MakeEveryReport, two readings of the store) and kept, and a
// keeper thread (at background priority: wiring/background.h) makes them
// once at start, then remakes them after a change while the reports have
// been asked for in the last kWatchedMs, at most one round in ten of its
// time. A request is answered from the copy kept when nothing
// has changed since it was made, or when it is at most kStaleMaxMs old and
// making one takes a person a noticeable wait (kWaitWorthMs; 100,000
// customers take about 0.5 s): then the answer says when it was made
// (Last-Modified) and ?fresh=true waits for one made now. Otherwise the
// reports are made for the request, on the admin worker thread (worker.h)
// not the io thread; a few more requests wait, beyond that 503 BUSY. The
// /v1/ endpoints answer 503 NOT_READY until Attach.
//
// Thread safety: routes on the io thread; replies from it or the worker;
// Stop before what Attach was given goes away.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "adapters/http/router.h"
#include "adapters/rocksdb/store.h"
#include "engine/runtime/runtime.h"
#include "tools/loyaltyd/worker.h"
#include "tools/report/reports.h"
#include "tools/wiring/rfm_job.h"

namespace loyalty {

class AdminReports {
 public:
  static constexpr int64_t kWatchedMs = 10 * 60'000;   // kept fresh this long after a request
  static constexpr int64_t kStaleMaxMs = 60'000;       // the oldest copy answered
  static constexpr int64_t kWaitWorthMs = 100;         // making one slower than this: from the copy
  static constexpr int64_t kRoundsApartMinMs = 2'000;  // and ten times the last round's time

  explicit AdminReports(std::function<std::string()> why_not_ready);
  ~AdminReports();  // Stop()s
  void AddRoutes(http::Router& router);
  void Attach(Store* store, Runtime* runtime, RfmJob* rfm_job, Worker* worker);
  void Stop();  // the keeper; idempotent

 private:
  using Clock = std::chrono::steady_clock;
  // What the reports were made from: while it is the same, so are they.
  struct Key {
    uint32_t rules_version = 0;
    uint64_t events = 0;  // what the runtime has handled and swept
    uint64_t swept = 0;
    const void* rfm = nullptr;  // the quantiles in force
    friend bool operator==(const Key&, const Key&) = default;
  };
  struct Made {
    Key key;
    Clock::time_point at;
    int64_t wall_ms = 0;  // when, for Last-Modified
    int64_t took_ms = 0;
    report::EveryReport outputs;
  };

  void Report(const http::Request& r, http::Respond respond);
  void Rfm(const http::Request& r, http::Respond respond);
  void Recompute(const http::Request& r, http::Respond respond);
  // False (after answering 503) when not attached or too busy.
  bool Queue(std::function<void()> job, const http::Respond& respond);
  Key CurrentKey() const;
  std::shared_ptr<const Made> Latest() const;
  // The reports as of now: the latest if its key is current, else made
  // (one maker at a time). Null after answering `failed`.
  std::shared_ptr<const Made> MakeNow(std::string* failed);
  void Keep();  // the keeper thread

  std::function<std::string()> why_not_ready_;
  std::atomic<Store*> store_{nullptr};
  Runtime* runtime_ = nullptr;
  RfmJob* rfm_job_ = nullptr;
  Worker* worker_ = nullptr;

  std::mutex make_mu_;  // one maker at a time: the keeper or the worker
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::shared_ptr<const Made> latest_;      // guarded by mu_
  std::optional<Clock::time_point> asked_;  // the last request; guarded by mu_
  bool stop_ = false;                       // guarded by mu_
  std::thread keeper_;
};

}  // namespace loyalty
