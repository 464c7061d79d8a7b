#include "tools/loyalty/report_command.h"

#include <fstream>
#include <functional>
#include <iostream>

#include "tools/loyalty/offline.h"
#include "tools/report/pareto_render.h"
#include "tools/report/rfm_render.h"

namespace loyalty::cli {

namespace {

// Visits every customer of a stopped server's database; false, after saying
// why, when it cannot.
bool ForEachStored(const std::string& data_dir,
                   const std::function<void(const CustomerState&)>& visit) {
  auto store = OpenStopped(data_dir);
  if (!store) return false;
  const Status read = store->ForEachCustomer([&](const CustomerState& state) {
    visit(state);
    return Status::Ok();
  });
  if (!read.ok()) std::cerr << "loyalty: reading customers: " << read.message() << "\n";
  return read.ok();
}

}  // namespace

int RunParetoReport(const ReportOptions& options) {
  std::vector<int64_t> revenue;
  const bool read = ForEachStored(
      options.data_dir, [&](const CustomerState& s) { revenue.push_back(report::RevenueOf(s)); });
  if (!read) return 2;
  const report::ParetoReport pareto = report::ComputePareto(std::move(revenue));
  const report::Money money{options.currency};
  if (!options.svg_path.empty()) {
    std::ofstream svg(options.svg_path, std::ios::trunc);
    svg << report::ParetoSvg(pareto, money, options.title_note);
    if (!svg.flush()) {
      std::cerr << "loyalty: cannot write the chart to " << options.svg_path << "\n";
      return 2;
    }
  }
  if (options.json) {
    std::cout << report::ParetoToJson(pareto).dump() << "\n";
  } else {
    std::cout << report::ParetoToText(pareto, money);
    if (!options.svg_path.empty()) std::cout << "chart: " << options.svg_path << "\n";
  }
  return 0;
}

int RunRfmReport(const ReportOptions& options) {
  std::vector<report::RfmInput> customers;
  const bool read = ForEachStored(options.data_dir, [&](const CustomerState& s) {
    customers.push_back(report::RfmInputOf(s));
  });
  if (!read) return 2;
  const report::RfmReport rfm = report::ComputeRfm(customers, 0);
  if (options.json) {
    std::cout << report::RfmToJson(rfm).dump() << "\n";
  } else {
    std::cout << report::RfmToText(rfm, report::Money{options.currency});
  }
  return 0;
}

ReportCommands AddReportCommands(CLI::App& app, ReportOptions& o) {
  auto* report = app.add_subcommand("report", "reports over a stopped server's database");
  report->require_subcommand(1);
  ReportCommands cmds;
  cmds.pareto = report->add_subcommand(
      "pareto", "share of revenue of the top 20% of customers, deciles, an SVG chart");
  cmds.pareto->add_option("--svg", o.svg_path, "write the chart (SVG) to this file");
  cmds.pareto->add_option("--title", o.title_note, "a note under the chart's title");
  cmds.rfm = report->add_subcommand(
      "rfm", "recency, frequency, monetary scores (quintiles) and the segments they make");
  for (CLI::App* cmd : {cmds.pareto, cmds.rfm}) {
    cmd->add_option("--data-dir", o.data_dir, "the database directory")->required();
    cmd->add_option("--currency", o.currency, "show amounts in this currency (e.g. GBP)");
  }
  return cmds;
}

}  // namespace loyalty::cli
