#include "tools/loyalty/report_command.h"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>

#include "adapters/http/client.h"
#include "adapters/rocksdb/audit_log.h"
#include "adapters/rocksdb/rule_versions.h"
#include "adapters/yaml/rules_file.h"
#include "engine/money.h"
#include "tools/loyalty/admin_call.h"
#include "tools/loyalty/offline.h"
#include "tools/report/reports.h"

namespace loyalty::cli {
namespace {

// --rules, else the active stored version; none: the defaults.
Result<std::optional<RuleSet>> RulesFor(Store& store, const std::string& path) {
  if (!path.empty()) {
    rules_file::Loaded loaded = rules_file::LoadFile(path);
    if (!loaded.rules) return Status::Invalid(loaded.problems.front().ToString());
    return std::optional<RuleSet>(std::move(*loaded.rules));
  }
  auto audit = AuditLog::Open(store);
  if (!audit.ok()) return audit.status();
  RuleVersions versions(**audit);
  auto active = versions.Active();
  if (!active.ok()) return active.status();
  if (!active->has_value()) return std::optional<RuleSet>();
  const std::string name = "stored version " + std::to_string((*active)->version());
  rules_file::Loaded loaded = rules_file::Parse((*active)->yaml(), name);
  if (!loaded.rules) return Status::Invalid(loaded.problems.front().ToString());
  return std::optional<RuleSet>(std::move(*loaded.rules));
}

bool WriteSvg(const std::string& path, const std::string& svg) {
  std::ofstream out(path, std::ios::trunc);
  out << svg;
  if (out.flush()) return true;
  std::cerr << "loyalty: cannot write the chart to " << path << "\n";
  return false;
}

int Print(const report::ReportOutput& out, const ReportOptions& o) {
  if (!o.svg_path.empty() && !out.svg.empty() && !WriteSvg(o.svg_path, out.svg)) return 2;
  if (o.json) {
    std::cout << out.json.dump() << "\n";
    return 0;
  }
  std::cout << out.text;
  if (!o.svg_path.empty() && !out.svg.empty()) std::cout << "chart: " << o.svg_path << "\n";
  return 0;
}

int FromStore(report::ReportKind kind, const ReportOptions& o) {
  auto store = OpenStopped(o.data_dir);
  if (!store) return 2;
  auto found = RulesFor(*store, o.rules_path);
  if (!found.ok()) {
    std::cerr << "loyalty: rules: " << found.status().message() << "\n";
    return 2;
  }
  const RuleSet rules = found->value_or(RuleSet{});
  // Amounts are in the program's currency: another code would only relabel
  // them. A store with no rules stored says nothing, so --currency names it.
  std::string currency = found->has_value() ? rules.program.currency : o.currency;
  if (!o.currency.empty() && o.currency != currency) {
    std::cerr << "loyalty: amounts are in the program's currency " << currency << ", not "
              << o.currency << "; drop --currency\n";
    return 2;
  }
  if (!currency.empty() && !CurrencyExponent(currency)) {
    std::cerr << "loyalty: --currency " << currency << " is not an ISO 4217 code\n";
    return 2;
  }
  report::ReportRequest request{kind, &rules, 0, report::Money{currency}, o.title_note};
  auto made = report::MakeReport(
      request, [&](const report::CustomerVisit& visit) { return store->ForEachCustomer(visit); });
  if (!made.ok()) {
    std::cerr << "loyalty: reading customers: " << made.status().message() << "\n";
    return 2;
  }
  return Print(*made, o);
}

// GET /v1/reports/NAME?format=F from a running server; the body, or none.
std::optional<std::string> Fetch(const std::string& name, const char* format,
                                 const ReportOptions& o) {
  std::string target = "/v1/reports/" + name + "?format=" + format;
  if (!o.currency.empty()) target += "&currency=" + o.currency;
  // A report may read every customer.
  const http::ClientRequest req = AdminRequest("GET", target, o.token, 120'000);
  auto reply = http::Call(o.admin, req);
  if (!reply.ok()) {
    std::cerr << "loyalty: " << o.admin << ": " << reply.status().message() << "\n";
    return std::nullopt;
  }
  if (reply->status != 200) {
    std::cerr << "loyalty: " << o.admin << " answered " << reply->status << ": " << reply->body;
    return std::nullopt;
  }
  return reply->body;
}

int FromAdmin(report::ReportKind kind, const ReportOptions& o) {
  const std::string name = report::ReportName(kind);
  if (!o.svg_path.empty() && report::HasChart(kind)) {
    auto svg = Fetch(name, "svg", o);
    if (!svg || !WriteSvg(o.svg_path, *svg)) return 2;
  }
  auto body = Fetch(name, o.json ? "json" : "text", o);
  if (!body) return 2;
  std::cout << *body;
  if (!o.json && !o.svg_path.empty() && report::HasChart(kind)) {
    std::cout << "chart: " << o.svg_path << "\n";
  }
  return 0;
}

}  // namespace

int RunReport(const std::string& name, const ReportOptions& o) {
  const auto kind = report::ReportKindOf(name);
  if (!kind) return 2;
  if (o.admin.empty() == o.data_dir.empty()) {
    std::cerr << "loyalty: report " << name << " needs --data-dir DIR or --admin HOST:PORT\n";
    return 2;
  }
  return o.admin.empty() ? FromStore(*kind, o) : FromAdmin(*kind, o);
}

std::string ReportCommands::Chosen() const {
  for (const auto& [name, cmd] : commands) {
    if (cmd->parsed()) return name;
  }
  return "";
}

ReportCommands AddReportCommands(CLI::App& app, ReportOptions& o) {
  auto* report = app.add_subcommand("report", "reports over a server's customers");
  report->require_subcommand(1);
  static const char* const kHelp[] = {
      "share of revenue of the top 20% of customers, deciles, an SVG chart",
      "recency, frequency, monetary scores (quintiles), their cut points and segments, an SVG "
      "chart",
      "customers and revenue per lifecycle stage, an SVG chart",
      "NPS, promoters and detractors per store, stage and segment, an SVG chart",
      "per offer: issued, redeemed, uplift over the holdout group, an SVG chart",
      "revenue minus returns, points redeemed and discounts: by stage, by decile, an SVG chart"};
  ReportCommands cmds;
  for (std::size_t k = 0; k < report::kReportNames.size(); ++k) {
    CLI::App* cmd = report->add_subcommand(report::kReportNames[k], kHelp[k]);
    cmd->add_option("--data-dir", o.data_dir, "a stopped server's database directory");
    cmd->add_option("--admin", o.admin, "HOST:PORT of a running loyaltyd's admin API instead");
    cmd->add_option("--token", o.token, "its bearer token (default: $LOYALTY_ADMIN_TOKEN)");
    cmd->add_option("--rules", o.rules_path, "rules file (default: the active stored version)");
    cmd->add_option("--currency", o.currency,
                    "the amounts' currency when the store has no rules (default: the program's; "
                    "another is refused)");
    if (report::HasChart(static_cast<report::ReportKind>(k))) {
      cmd->add_option("--svg", o.svg_path, "write the chart (SVG) to this file");
      cmd->add_option("--title", o.title_note, "a note under the chart's title");
    }
    cmds.commands.emplace_back(report::kReportNames[k], cmd);
  }
  return cmds;
}

}  // namespace loyalty::cli
