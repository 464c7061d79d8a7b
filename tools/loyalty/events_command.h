// `loyalty events status|dead-letters|redeliver`: events out (docs/EVENTS.md
// "Events out") through a running loyaltyd's admin API.
//   loyalty events status --admin 127.0.0.1:7071        what waits, delivered, failing
//   loyalty events dead-letters [--limit 50]             the events given up on
//   loyalty events redeliver (or replay)                 them back into the outbox (admin)
//   loyalty events tail --redis HOST:PORT --stream KEY   follow the Redis stream, one line an event
// Exit codes: 0 done, 1 refused (the reason is printed), 3 the admin API
// could not be reached.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

namespace loyalty::cli {

struct EventsOptions {
  std::string admin = "127.0.0.1:7071";
  std::string token;
  std::size_t limit = 50;
  bool json = false;
  int64_t timeout_ms = 5000;
  CLI::App* status = nullptr;
  CLI::App* dead_letters = nullptr;
  CLI::App* redeliver = nullptr;
  CLI::App* tail = nullptr;
  std::string redis = "127.0.0.1:6379";
  std::string stream;
  bool from_start = false;
  std::size_t count = 0;  // tail: stop after this many (0: follow until interrupted)
};

void AddEventsCommands(CLI::App& app, EventsOptions& o);
// -1 when none of them was given.
int RunEvents(const EventsOptions& o);

}  // namespace loyalty::cli
