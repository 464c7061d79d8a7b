#include "tools/loyalty/report_command.h"

#include <fstream>
#include <iostream>

#include "tools/loyalty/offline.h"
#include "tools/report/pareto_render.h"

namespace loyalty::cli {

int RunParetoReport(const ReportOptions& options) {
  auto store = OpenStopped(options.data_dir);
  if (!store) return 2;
  std::vector<int64_t> revenue;
  const Status read = store->ForEachCustomer([&](const CustomerState& state) {
    revenue.push_back(report::RevenueOf(state));
    return Status::Ok();
  });
  if (!read.ok()) {
    std::cerr << "loyalty: reading customers: " << read.message() << "\n";
    return 2;
  }
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

CLI::App* AddParetoCommand(CLI::App& app, ReportOptions& o) {
  auto* report = app.add_subcommand("report", "reports over a stopped server's database");
  report->require_subcommand(1);
  auto* cmd = report->add_subcommand(
      "pareto", "share of revenue of the top 20% of customers, deciles, an SVG chart");
  cmd->add_option("--data-dir", o.data_dir, "the database directory")->required();
  cmd->add_option("--svg", o.svg_path, "write the chart (SVG) to this file");
  cmd->add_option("--currency", o.currency, "show amounts in this currency (e.g. GBP)");
  cmd->add_option("--title", o.title_note, "a note under the chart's title");
  return cmd;
}

}  // namespace loyalty::cli
