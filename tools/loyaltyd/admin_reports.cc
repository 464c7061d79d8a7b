#include "tools/loyaltyd/admin_reports.h"

#include <algorithm>
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

// The report `r` asks for, made now over `store`; the response to send.
}  // namespace

// The report `r` asks for, made now over the store (or the same one made a
// moment ago when nothing has changed since); the response to send.
Response AdminReports::ReportResponse(const Request& r) {
  const Runtime& runtime = *runtime_;
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
  // A page asks for a report's JSON, then its chart: one reading of every
  // customer serves both while no event, sweep, rule or RFM change came.
  const RuntimeStats stats = runtime.stats();
  const Made::Key key{rules->version, stats.events, stats.swept, runtime.rfm().get()};
  auto& cached = made_[static_cast<std::size_t>(*kind)];
  if (!cached || !(cached->key == key) || request.as_of_ms - cached->made_ms > kReusedMaxMs) {
    Store& store = *store_.load();
    auto made = report::MakeReport(
        request, [&](const report::CustomerVisit& visit) { return store.ForEachCustomer(visit); });
    if (!made.ok()) return JsonError(500, "STORE_FAILED", made.status().message());
    cached = Made{key, request.as_of_ms, std::move(*made)};
  }
  const report::ReportOutput* made = &cached->output;
  const auto f = r.query.find("format");
  const std::string format = f == r.query.end() ? "json" : f->second;
  if (format == "svg") return {200, made->svg, "image/svg+xml"};
  if (format == "text") return {200, made->text, "text/plain; charset=utf-8"};
  if (format == "csv") {
    auto csv = TableCsv(made->json);
    if (!csv) return JsonError(404, "NO_TABLE", "this report has no rows to export yet");
    Response response{200, *csv, "text/csv; charset=utf-8"};
    response.headers.emplace_back("Content-Disposition",
                                  "attachment; filename=\"" + r.params.at("name") + ".csv\"");
    return response;
  }
  return Ok(made->json);
}

AdminReports::AdminReports(std::function<std::string()> why_not_ready)
    : why_not_ready_(std::move(why_not_ready)) {}

void AdminReports::Attach(Store* store, Runtime* runtime, RfmJob* rfm_job, Worker* worker) {
  runtime_ = runtime;
  rfm_job_ = rfm_job;
  worker_ = worker;
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
  if (f != r.query.end() && f->second != "json" && f->second != "text" && f->second != "svg" &&
      f->second != "csv") {
    return respond(JsonError(400, "BAD_FORMAT", "format must be json, text, svg or csv"));
  }
  Queue([this, r, respond] { respond(ReportResponse(r)); }, respond);
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
