// `loyalty history --card C`: a customer's ledger statement from a running
// loyaltyd's admin API (GET /v1/customers/{card}/ledger), as the support
// desk reads it: every entry with its date and time in the program's time
// zone, the event, its store and money, the rule or reason, the points and
// the balance after it; newest first, --limit entries (default 50), --all
// for every page.
//   loyalty history --card 4242 --admin 127.0.0.1:7071 --token $T
// Exit codes: 0 shown, 1 refused (unknown card, role), 3 the API could not
// be reached.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace loyalty::cli {

struct HistoryOptions {
  std::string card;
  std::string admin = "127.0.0.1:7071";
  std::string token;  // default $LOYALTY_ADMIN_TOKEN
  int limit = 50;
  bool all = false;
  bool json = false;
  int64_t timeout_ms = 5000;
};

CLI::App* AddHistoryCommand(CLI::App& app, HistoryOptions& o);
int RunHistory(const HistoryOptions& o);

}  // namespace loyalty::cli
