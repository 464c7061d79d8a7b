// loyalty report: reports over a stopped server's database (the store is
// read, never written), or over a running server's through its admin API.
//
//   loyalty report pareto|rfm|lifecycle|nps|offers|cost-to-serve --data-dir DIR
//       [--rules FILE] [--json] [--svg FILE] [--currency GBP] [--title NOTE]
//   loyalty report lifecycle --admin 127.0.0.1:7071 [--token T] [--json] [--svg FILE]
//
// Reports that need the rules (lifecycle thresholds, segments, offers) use
// --rules, else the rule set active in the store, else the built-in
// defaults. "Now" is the latest purchase in the data (a stopped server's
// data may be old); through the admin API it is the server's clock.
// --svg writes the chart of the reports that have one (pareto, lifecycle,
// nps). The computations live in tools/report, shared with the admin API.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace loyalty::cli {

struct ReportOptions {
  std::string data_dir;
  std::string rules_path;
  std::string svg_path;  // also write the chart here
  std::string currency;  // how to show amounts; "" = two decimals, no code
  std::string title_note;
  std::string admin;  // HOST:PORT of a running loyaltyd's admin API
  std::string token;  // its bearer token; default $LOYALTY_ADMIN_TOKEN
  bool json = false;
};

// Exit code: 0 done, 2 the database, the rules, the admin API or the SVG
// file could not be used.
int RunReport(const std::string& name, const ReportOptions& options);

// Adds `report NAME` for every report and their flags to `app`, filling
// `options`; the parsed one's name is in `chosen`.
struct ReportCommands {
  std::vector<std::pair<std::string, CLI::App*>> commands;
  std::string Chosen() const;  // "" when none was given
};
ReportCommands AddReportCommands(CLI::App& app, ReportOptions& options);

}  // namespace loyalty::cli
