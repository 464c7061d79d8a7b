// Reads a marketer's rules file (YAML, DESIGN.md §7) into a validated
// RuleSet. Reports every mistake it finds, not just the first, each with the
// file, line and column and a hint on how to fix it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/rules.h"

namespace loyalty::rules_file {

struct Problem {
  std::string file;
  int line = 0;                  // 1-based; 0 when the problem is about the whole file
  int column = 0;                // 1-based
  std::string message;           // "program.rounding: 'flor' is not floor, nearest or ceil"
  std::string ToString() const;  // "rules.yaml:3:14: program.rounding: ..."
};

struct Loaded {
  std::optional<RuleSet> rules;  // set only when there are no problems
  std::vector<Problem> problems;
};

Loaded LoadFile(const std::string& path);
Loaded Parse(std::string_view yaml_text, const std::string& file_name);

}  // namespace loyalty::rules_file
