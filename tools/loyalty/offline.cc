#include "tools/loyalty/offline.h"

#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "adapters/rocksdb/audit.h"
#include "adapters/yaml/rules_file.h"
#include "tools/report/format.h"

namespace loyalty::cli {

std::unique_ptr<Store> OpenStopped(const std::string& data_dir) {
  // Never create a database by reading one.
  if (!std::filesystem::exists(std::filesystem::path(data_dir) / "CURRENT")) {
    std::cerr << "loyalty: no database at " << data_dir << "\n";
    return nullptr;
  }
  StoreOptions options;
  options.path = data_dir;
  auto store = Store::Open(options);
  if (!store.ok()) {
    std::cerr << "loyalty: " << store.status().message()
              << (store.status().message().find("lock") != std::string::npos
                      ? " (is a loyaltyd running on it? stop it first)"
                      : "")
              << "\n";
    return nullptr;
  }
  return std::move(*store);
}

int RunCheck(const std::string& data_dir, bool json) {
  auto store = OpenStopped(data_dir);
  if (!store) return 2;
  auto report = Audit(*store);
  if (!report.ok()) {
    std::cerr << "loyalty: the check could not finish: " << report.status().message() << "\n";
    return 2;
  }
  if (json) {
    nlohmann::json j = {{"customers", report->customers},
                        {"ledger_entries", report->ledger_entries},
                        {"points_outstanding", report->points_outstanding},
                        {"problems", report->problems},
                        {"consistent", report->problems.empty()}};
    std::cout << j.dump() << "\n";
  } else {
    for (const std::string& p : report->problems) std::cout << "problem: " << p << "\n";
    using loyalty::report::Counted;
    std::cout << Counted(report->customers, "customer", "customers") << ", "
              << Counted(report->ledger_entries, "ledger entry", "ledger entries") << ", "
              << Counted(report->points_outstanding, "point", "points") << " outstanding: "
              << (report->problems.empty() ? "consistent"
                                           : Counted(static_cast<int64_t>(report->problems.size()),
                                                     "problem", "problems"))
              << "\n";
  }
  return report->problems.empty() ? 0 : 1;
}

int RunRulesValidate(const std::vector<std::string>& files, bool json) {
  int exit_code = 0;
  nlohmann::json all = nlohmann::json::array();
  for (const std::string& file : files) {
    const rules_file::Loaded loaded = rules_file::LoadFile(file);
    nlohmann::json j = {{"file", file}, {"valid", loaded.rules.has_value()}};
    j["problems"] = nlohmann::json::array();
    for (const auto& p : loaded.problems) {
      j["problems"].push_back({{"line", p.line}, {"column", p.column}, {"message", p.message}});
      if (!json) std::cout << p.ToString() << "\n";
    }
    if (loaded.rules) {
      j["version"] = loaded.rules->version;
      if (!json) {
        std::cout << file << ": valid (rule set '" << loaded.rules->name << "' version "
                  << loaded.rules->version << ", " << loaded.rules->program.currency << ")\n";
      }
    } else {
      exit_code = 1;
    }
    all.push_back(std::move(j));
  }
  if (json) std::cout << all.dump() << "\n";
  return exit_code;
}

}  // namespace loyalty::cli
