// loyalty rules simulate: what a rule change would have done to past sales.
//
//   loyalty rules simulate --rules NEW.yaml --baseline OLD.yaml --events FILE [--json]
//
// FILE is the real data set (.csv / .csv.gz) or the event format of
// docs/EVENTS.md. Both rule sets see the same events in one pass, through the
// pure core, in memory (tools/simulate); nothing is written anywhere.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace loyalty::cli {

struct SimulateOptions {
  std::string rules;     // the candidate
  std::string baseline;  // the rules in force
  std::string events;
  bool json = false;
};

// Exit code: 0 done, 2 a rules file has mistakes (listed) or the events
// cannot be read (file:line and why).
int RunSimulate(const SimulateOptions& options);

// Adds `simulate` and its flags under `rules`, filling `options`.
CLI::App* AddSimulateCommand(CLI::App& rules, SimulateOptions& options);

}  // namespace loyalty::cli
