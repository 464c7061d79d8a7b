// Every report by name, over customers from anywhere (a stopped server's
// store for the CLI, the running store for the admin HTTP API), made the
// same way for both so they print the same figures:
//   pareto, rfm, lifecycle, nps, offers, cost-to-serve
// Pareto, lifecycle and NPS also draw a chart (SVG).
//
// The customers are read twice: once for revenue and RFM inputs (and the
// latest purchase, the default "as of" day), once for the tallies that need
// the rules. Memory: a few numbers per customer.
//
// Thread safety: pure apart from `source`; call from any thread.
#pragma once

#include <array>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "engine/customer_state.h"
#include "engine/rules.h"
#include "engine/status.h"
#include "tools/report/format.h"

namespace loyalty::report {

enum class ReportKind { kPareto, kRfm, kLifecycle, kNps, kOffers, kCostToServe };
inline constexpr std::array<const char*, 6> kReportNames = {"pareto", "rfm",    "lifecycle",
                                                            "nps",    "offers", "cost-to-serve"};
std::optional<ReportKind> ReportKindOf(std::string_view name);
const char* ReportName(ReportKind kind);
bool HasChart(ReportKind kind);

// Calls `visit` for every customer, stopping at (and returning) its first
// non-ok Status.
using CustomerVisit = std::function<Status(const CustomerState&)>;
using CustomerSource = std::function<Status(const CustomerVisit& visit)>;

struct ReportRequest {
  ReportKind kind = ReportKind::kPareto;
  const RuleSet* rules = nullptr;  // the rules in force; required
  TimeMs as_of_ms = 0;             // "now"; 0: the latest purchase among customers
  Money money;
  std::string title_note;  // under a chart's title
};

struct ReportOutput {
  nlohmann::json json;
  std::string text;
  std::string svg;  // empty: the report has no chart
};

Result<ReportOutput> MakeReport(const ReportRequest& request, const CustomerSource& source);

// All six at once (request.kind is ignored), in kReportNames' order, from the
// same two readings of the customers one report takes: what a server keeping
// every report fresh uses.
using EveryReport = std::array<ReportOutput, kReportNames.size()>;
Result<EveryReport> MakeEveryReport(const ReportRequest& request, const CustomerSource& source);

}  // namespace loyalty::report
