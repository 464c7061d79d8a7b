#include "tools/loyaltyd/admin_reports.h"

#include <algorithm>
#include <ctime>
#include <nlohmann/json.hpp>

#include "tools/report/reports.h"
#include "tools/report/rfm_render.h"
#include "tools/wiring/background.h"

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

std::string CsvField(const Json& v) {
  std::string text = v.is_string() ? v.get<std::string>() : v.is_null() ? "" : v.dump();
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

// A report's table as CSV: its first list of rows (deciles, segments,
// stages, stores, offers), one column per key, nested objects as a.b.
std::optional<std::string> TableCsv(const Json& report) {
  for (const auto& [key, rows] : report.items()) {
    if (!rows.is_array() || rows.empty() || !rows.front().is_object()) continue;
    std::vector<std::string> columns;
    std::vector<std::vector<std::pair<std::string, Json>>> flat;
    for (const Json& row : rows) {
      std::vector<std::pair<std::string, Json>> cells;
      const Json flat_row = row.flatten();  // items() refers to it: keep it alive
      for (const auto& [k, v] : flat_row.items()) cells.emplace_back(k.substr(1), v);
      for (const auto& [k, v] : cells) {
        if (std::find(columns.begin(), columns.end(), k) == columns.end()) columns.push_back(k);
      }
      flat.push_back(std::move(cells));
    }
    std::string out;
    for (std::size_t c = 0; c < columns.size(); ++c) {
      std::string name = columns[c];
      std::replace(name.begin(), name.end(), '/', '.');
      out += (c ? "," : "") + CsvField(name);
    }
    out += "\n";
    for (const auto& cells : flat) {
      for (std::size_t c = 0; c < columns.size(); ++c) {
        const auto it = std::find_if(cells.begin(), cells.end(),
                                     [&](const auto& cell) { return cell.first == columns[c]; });
        out += (c ? "," : "") + (it == cells.end() ? std::string() : CsvField(it->second));
      }
      out += "\n";
    }
    return out;
  }
  return std::nullopt;
}

// "Sat, 28 Nov 2026 20:14:03 GMT" (RFC 9110's IMF-fixdate).
std::string HttpDate(int64_t wall_ms) {
  const std::time_t t = static_cast<std::time_t>(wall_ms / 1000);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char out[40];
  std::strftime(out, sizeof out, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return out;
}

int64_t MsBetween(std::chrono::steady_clock::time_point from,
                  std::chrono::steady_clock::time_point to) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count();
}

// The answer to `r` (its name and format checked) from reports made at `wall_ms`.
Response ReportAnswer(const Request& r, const report::ReportOutput& made, int64_t wall_ms) {
  const auto f = r.query.find("format");
  const std::string format = f == r.query.end() ? "json" : f->second;
  Response response;
  if (format == "svg") {
    response = {200, made.svg, "image/svg+xml"};
  } else if (format == "text") {
    response = {200, made.text, "text/plain; charset=utf-8"};
  } else if (format == "csv") {
    auto csv = TableCsv(made.json);
    if (!csv) return JsonError(404, "NO_TABLE", "this report has no rows to export yet");
    response = {200, *csv, "text/csv; charset=utf-8"};
    response.headers.emplace_back("Content-Disposition",
                                  "attachment; filename=\"" + r.params.at("name") + ".csv\"");
  } else {
    response = Ok(made.json);
  }
  response.headers.emplace_back("Last-Modified", HttpDate(wall_ms));
  return response;
}

}  // namespace

AdminReports::Key AdminReports::CurrentKey() const {
  const RuntimeStats stats = runtime_->stats();
  return Key{runtime_->rules()->version, stats.events, stats.swept, runtime_->rfm().get()};
}

std::shared_ptr<const AdminReports::Made> AdminReports::Latest() const {
  std::lock_guard lock(mu_);
  return latest_;
}

std::shared_ptr<const AdminReports::Made> AdminReports::MakeNow(std::string* failed) {
  std::lock_guard making(make_mu_);
  // The key first: an event handled while the store is read makes the next
  // request or round make them again, never a copy that claims too much.
  const Key key = CurrentKey();
  // Made while this one waited for its turn: as good as new.
  if (auto latest = Latest();
      latest && latest->key == key && MsBetween(latest->at, Clock::now()) < kRoundsApartMinMs) {
    return latest;
  }
  const Runtime& runtime = *runtime_;
  const auto rules = runtime.rules();
  const report::ReportRequest request{report::ReportKind::kPareto, rules.get(), runtime.now(),
                                      report::Money{rules->program.currency}, ""};
  const Clock::time_point start = Clock::now();
  Store& store = *store_.load();
  auto every = report::MakeEveryReport(
      request, [&](const report::CustomerVisit& visit) { return store.ForEachCustomer(visit); });
  if (!every.ok()) {
    *failed = every.status().message();
    return nullptr;
  }
  const Clock::time_point end = Clock::now();
  const int64_t wall_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
  auto made = std::make_shared<const Made>(
      Made{key, end, wall_ms, MsBetween(start, end), std::move(*every)});
  std::lock_guard lock(mu_);
  latest_ = made;
  return made;
}

void AdminReports::Keep() {
  YieldToSales();
  std::unique_lock lock(mu_);
  while (!stop_) {
    wake_.wait_for(lock, std::chrono::seconds(1));
    if (stop_) break;
    const Clock::time_point now = Clock::now();
    const std::shared_ptr<const Made> latest = latest_;
    // Nobody is looking: one round at start warms the copy up, no more.
    if (latest && (!asked_ || MsBetween(*asked_, now) > kWatchedMs)) continue;
    if (latest && MsBetween(latest->at, now) < std::max(kRoundsApartMinMs, 10 * latest->took_ms)) {
      continue;
    }
    lock.unlock();
    // Unchanged reports still age (a customer lapses as days go by): renewed
    // before the copy is too old to answer.
    if (!latest || !(latest->key == CurrentKey()) ||
        MsBetween(latest->at, Clock::now()) > kStaleMaxMs / 2) {
      std::string failed;
      MakeNow(&failed);  // a failure is told to the next request, which makes its own
    }
    lock.lock();
  }
}

AdminReports::AdminReports(std::function<std::string()> why_not_ready)
    : why_not_ready_(std::move(why_not_ready)) {}

AdminReports::~AdminReports() { Stop(); }

void AdminReports::Attach(Store* store, Runtime* runtime, RfmJob* rfm_job, Worker* worker) {
  runtime_ = runtime;
  rfm_job_ = rfm_job;
  worker_ = worker;
  store_ = store;  // from here on requests are served
  keeper_ = std::thread(&AdminReports::Keep, this);
}

void AdminReports::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (keeper_.joinable()) keeper_.join();
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
  if (f != r.query.end() && f->second != "json" && f->second != "text" && f->second != "svg" &&
      f->second != "csv") {
    return respond(JsonError(400, "BAD_FORMAT", "format must be json, text, svg or csv"));
  }
  if (store_ == nullptr) return respond(JsonError(503, "NOT_READY", why_not_ready_()));
  const auto rules = runtime_->rules();
  // Amounts are in the program's currency; another code would only relabel them.
  if (auto c = r.query.find("currency");
      c != r.query.end() && c->second != rules->program.currency) {
    return respond(JsonError(400, "WRONG_CURRENCY",
                             "amounts are in the program's currency " + rules->program.currency +
                                 ", not " + c->second + "; drop currency="));
  }
  const auto index = static_cast<std::size_t>(*kind);
  std::shared_ptr<const Made> latest;
  {
    std::lock_guard lock(mu_);
    asked_ = Clock::now();
    latest = latest_;
  }
  const auto fresh = r.query.find("fresh");
  if (latest && (fresh == r.query.end() || fresh->second != "true") &&
      MsBetween(latest->at, Clock::now()) <= kStaleMaxMs &&
      (latest->took_ms >= kWaitWorthMs || latest->key == CurrentKey())) {
    return respond(ReportAnswer(r, latest->outputs[index], latest->wall_ms));
  }
  Queue(
      [this, r, respond, index] {
        std::string failed;
        const auto made = MakeNow(&failed);
        if (!made) return respond(JsonError(500, "STORE_FAILED", failed));
        respond(ReportAnswer(r, made->outputs[index], made->wall_ms));
      },
      respond);
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
  return worker_->Queue(std::move(job), respond);
}

}  // namespace loyalty
