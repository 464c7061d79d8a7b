#include "tools/loyalty/simulate_command.h"

#include <chrono>
#include <iostream>

#include "adapters/yaml/rules_file.h"
#include "tools/simulate/render.h"
#include "tools/simulate/simulator.h"

namespace loyalty::cli {
namespace {

std::shared_ptr<const RuleSet> Load(const std::string& path) {
  rules_file::Loaded loaded = rules_file::LoadFile(path);
  if (!loaded.rules) {
    for (const auto& p : loaded.problems) std::cerr << p.ToString() << "\n";
    return nullptr;
  }
  return std::make_shared<const RuleSet>(std::move(*loaded.rules));
}

std::string Label(const std::string& path, const RuleSet& rules) {
  return path + " (version " + std::to_string(rules.version) + ", '" + rules.name + "')";
}

}  // namespace

int RunSimulate(const SimulateOptions& o) {
  auto baseline = Load(o.baseline);
  auto candidate = Load(o.rules);
  if (!baseline || !candidate) {
    std::cerr << "loyalty: fix the rules file(s) above, then simulate again\n";
    return 2;
  }
  auto source = simulate::EventSource::Open(o.events);
  if (!source.ok()) {
    std::cerr << "loyalty: " << source.status().message() << "\n";
    return 2;
  }
  const auto start = std::chrono::steady_clock::now();
  auto comparison = simulate::Compare(**source, baseline, candidate);
  if (!comparison.ok()) {
    std::cerr << "loyalty: " << comparison.status().message() << "\n";
    return 2;
  }
  simulate::Labels labels{Label(o.baseline, *baseline), Label(o.rules, *candidate),
                          candidate->program.currency, 0};
  labels.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (o.json) {
    std::cout << simulate::ComparisonToJson(*comparison, labels).dump() << "\n";
  } else {
    std::cout << simulate::ComparisonToText(*comparison, labels);
  }
  return 0;
}

CLI::App* AddSimulateCommand(CLI::App& rules, SimulateOptions& o) {
  auto* cmd = rules.add_subcommand(
      "simulate", "replay past events through new and current rules; compare, write nothing");
  cmd->add_option("--rules", o.rules, "the candidate rules file")->required();
  cmd->add_option("--baseline", o.baseline, "the rules in force")->required();
  cmd->add_option("--events", o.events,
                  "past events: the Online Retail .csv(.gz), or JSON lines (docs/EVENTS.md)")
      ->required();
  return cmd;
}

}  // namespace loyalty::cli
