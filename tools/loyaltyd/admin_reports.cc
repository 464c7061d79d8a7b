#include "tools/loyaltyd/admin_reports.h"

#include <nlohmann/json.hpp>

#include "tools/report/reports.h"
#include "tools/report/rfm_render.h"

namespace loyalty {
namespace {

using http::JsonError;
using http::Request;
using http::Respond;
using http::Response;
using Json = nlohmann::json;

Response Ok(const Json& j) { return {200, j.dump(2) + "\n"}; }

Json RfmStateJson(const std::shared_ptr<const RfmQuantiles>& q, TimeMs computed_ms) {
  if (!q) return {{"quantiles", nullptr}, {"computed_ms", nullptr}, {"scored", false}};
  // Nobody is scored against fewer customers than there are scores.
  return {{"quantiles", report::RfmQuantilesToJson(*q)},
          {"computed_ms", computed_ms},
          {"scored", q->scores()}};
}

// The report `r` asks for, made now over `store`; the response to send.
Response ReportResponse(const Request& r, Store& store, const Runtime& runtime) {
  const auto kind = report::ReportKindOf(r.params.at("name"));
  const auto rules = runtime.rules();
  report::ReportRequest request{*kind, rules.get(), runtime.now(),
                                report::Money{rules->program.currency}, ""};
  // Amounts are in the program's currency; another code would only relabel them.
  if (auto c = r.query.find("currency");
      c != r.query.end() && c->second != rules->program.currency) {
    return JsonError(400, "WRONG_CURRENCY",
                     "amounts are in the program's currency " + rules->program.currency + ", not " +
                         c->second + "; drop currency=");
  }
  auto made = report::MakeReport(
      request, [&](const report::CustomerVisit& visit) { return store.ForEachCustomer(visit); });
  if (!made.ok()) return JsonError(500, "STORE_FAILED", made.status().message());
  const auto f = r.query.find("format");
  const std::string format = f == r.query.end() ? "json" : f->second;
  if (format == "svg") return {200, made->svg, "image/svg+xml"};
  if (format == "text") return {200, made->text, "text/plain; charset=utf-8"};
  return Ok(made->json);
}

}  // namespace

AdminReports::AdminReports(std::function<std::string()> why_not_ready)
    : why_not_ready_(std::move(why_not_ready)) {}

AdminReports::~AdminReports() { Stop(); }

void AdminReports::Attach(Store* store, Runtime* runtime, RfmJob* rfm_job) {
  runtime_ = runtime;
  rfm_job_ = rfm_job;
  worker_ = std::thread([this] { Work(); });
  store_ = store;  // last: from here on requests are served
}

void AdminReports::AddRoutes(http::Router& router) {
  using P = http::Permission;
  router.Add({"GET", "/v1/reports", P::kReportsRead, [](const Request&, Respond respond) {
                Json list = Json::array();
                for (std::size_t k = 0; k < report::kReportNames.size(); ++k) {
                  const auto kind = static_cast<report::ReportKind>(k);
                  list.push_back({{"name", report::kReportNames[k]},
                                  {"path", std::string("/v1/reports/") + report::kReportNames[k]},
                                  {"chart", report::HasChart(kind)}});
                }
                respond(Ok({{"reports", list}}));
              }});
  auto bind = [this](void (AdminReports::*f)(const Request&, Respond)) {
    return [this, f](const Request& r, Respond respond) { (this->*f)(r, std::move(respond)); };
  };
  router.Add({"GET", "/v1/reports/{name}", P::kReportsRead, bind(&AdminReports::Report)});
  router.Add({"GET", "/v1/rfm", P::kReportsRead, bind(&AdminReports::Rfm)});
  router.Add({"POST", "/v1/rfm/recompute", P::kRfmRecompute, bind(&AdminReports::Recompute)});
}

void AdminReports::Report(const Request& r, Respond respond) {
  const auto kind = report::ReportKindOf(r.params.at("name"));
  if (!kind) {
    return respond(
        JsonError(404, "NOT_FOUND",
                  "no report '" + r.params.at("name") +
                      "'; there are pareto, rfm, lifecycle, nps, offers, cost-to-serve"));
  }
  const auto f = r.query.find("format");
  if (f != r.query.end() && f->second != "json" && f->second != "text" && f->second != "svg") {
    return respond(JsonError(400, "BAD_FORMAT", "format must be json, text or svg"));
  }
  Queue([this, r, respond] { respond(ReportResponse(r, *store_.load(), *runtime_)); }, respond);
}

void AdminReports::Rfm(const Request&, Respond respond) {
  if (store_ == nullptr) return respond(JsonError(503, "NOT_READY", why_not_ready_()));
  respond(Ok(RfmStateJson(runtime_->rfm(), rfm_job_->computed_ms())));
}

void AdminReports::Recompute(const Request&, Respond respond) {
  Queue(
      [this, respond] {
        auto q = rfm_job_->Recompute();
        if (!q.ok()) return respond(JsonError(500, "STORE_FAILED", q.status().message()));
        respond(Ok(RfmStateJson(runtime_->rfm(), rfm_job_->computed_ms())));
      },
      respond);
}

bool AdminReports::Queue(std::function<void()> job, const Respond& respond) {
  if (store_ == nullptr) {
    respond(JsonError(503, "NOT_READY", why_not_ready_()));
    return false;
  }
  {
    std::lock_guard lock(mu_);
    if (!stop_ && jobs_.size() <= kWaitingMax) {
      jobs_.emplace_back(std::move(job), respond);
      ready_.notify_one();
      return true;
    }
  }
  respond(JsonError(503, "BUSY", "other reports are being made; retry in a moment"));
  return false;
}

void AdminReports::Work() {
  std::unique_lock lock(mu_);
  while (true) {
    ready_.wait(lock, [&] { return stop_ || !jobs_.empty(); });
    if (stop_) break;
    auto job = std::move(jobs_.front().first);
    jobs_.pop_front();
    lock.unlock();
    job();
    lock.lock();
  }
  for (auto& [job, respond] : jobs_) {
    respond(JsonError(503, "STOPPING", "the server is stopping; the report was not made"));
  }
  jobs_.clear();
}

void AdminReports::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  ready_.notify_all();
  if (worker_.joinable()) worker_.join();
}

}  // namespace loyalty
