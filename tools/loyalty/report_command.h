// loyalty report: reports over a stopped server's database (the store is
// read, never written).
//
//   loyalty report pareto --data-dir DIR [--json] [--svg FILE] [--currency GBP]
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

// Adds `report pareto` and its flags to `app`, filling `options`; returns
// the `pareto` command.
CLI::App* AddParetoCommand(CLI::App& app, ReportOptions& options);

}  // namespace loyalty::cli
