// loyalty report: reports over a stopped server's database (the store is
// read, never written).
//
//   loyalty report pareto --data-dir DIR [--json] [--svg FILE] [--currency GBP]
//   loyalty report rfm --data-dir DIR [--json] [--currency GBP]
//
// The computations live in tools/report (a library over customer states, so
// the admin HTTP API can serve the same figures); this file only gathers the
// states from the store and prints.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace loyalty::cli {

struct ReportOptions {
  std::string data_dir;
  std::string svg_path;  // also write the chart here
  std::string currency;  // how to show amounts; "" = two decimals, no code
  std::string title_note;
  bool json = false;
};

// Exit code: 0 done, 2 the database or the SVG file could not be used.
int RunParetoReport(const ReportOptions& options);

// Exit code: 0 done, 2 the database could not be read.
int RunRfmReport(const ReportOptions& options);

// Adds `report pareto` and `report rfm` and their flags to `app`, filling
// `options`.
struct ReportCommands {
  CLI::App* pareto = nullptr;
  CLI::App* rfm = nullptr;
};
ReportCommands AddReportCommands(CLI::App& app, ReportOptions& options);

}  // namespace loyalty::cli
