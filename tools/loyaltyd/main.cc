// loyaltyd: the loyalty engine server.
//
//   loyaltyd --listen 127.0.0.1:7070 --data-dir ./var --rules rules.yaml
//
// Configuration: defaults < --config FILE < LOYALTY_* environment < flags
// (config.h); --check-config validates and exits, --print-config prints the
// effective configuration with secrets redacted. A bad option stops startup
// with its name and the reason, exit code 1.
//
// Startup: the admin listener first (so /healthz answers and /readyz says
// why it is not ready), then the store (waiting up to store_lock_wait_ms for
// another process to let go of it), the rules (the active stored version,
// else --rules, stored as the next version), the runtime and the register
// listener. It prints "loyaltyd admin on HOST:PORT" and then "loyaltyd
// listening on HOST:PORT ..." once it serves.
//
// SIGTERM or SIGINT drain: /readyz turns 503 at once; after drain_delay_ms
// (or a second signal) no new requests are read, every accepted one is
// answered, then exit 0. SIGHUP re-reads the rules file and, when valid and
// changed, stores and activates it as a new version; a file with mistakes
// is refused and the running rules stay. SIGUSR1 logs a stats line.#include <unistd.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdlib>

#include "tools/build_info/build_info.h"
#include "tools/loyaltyd/check_config.h"
#include "tools/loyaltyd/config.h"
#include "tools/loyaltyd/daemon.h"
#include "tools/loyaltyd/log.h"

int main(int argc, char** argv) {
  // A write to a closed socket or pipe (stdout read by a supervisor that
  // went away) is an error to handle, never the end of the server.
  std::signal(SIGPIPE, SIG_IGN);
  CLI::App app{"loyaltyd: the loyalty engine server"};
  app.set_version_flag("--version", loyalty::build_info::VersionLine("loyaltyd"),
                       "print the version, git commit and build type, then exit");
  loyalty::Flags flags;
  loyalty::AddConfigFlags(app, flags);
  CLI11_PARSE(app, argc, argv);
  loyalty::config_file::Problems problems;
  auto config = loyalty::BuildConfig(flags, environ, problems);
  if (flags.check_config) return loyalty::CheckConfig(config, flags, problems);
  if (!problems.empty()) {
    for (const auto& p : problems) std::cerr << "loyaltyd: " << p << "\n";
    return 1;
  }
  if (flags.print_config) {
    std::cout << loyalty::config_file::Print(config);
    return 0;
  }
  loyalty::SetUpLog(config.log_format == "json");
  for (const auto& w : flags.warnings) loyalty::LogWarn(w);
  // A deposed primary starts again as a standby: the same program and
  // arguments, with the admin tokens as verifiers only (the secrets were
  // wiped from the environment), every other descriptor closed.
  const std::string verifiers = loyalty::TokenVerifiers(config);
  auto tokens = loyalty::TakeTokens(config);
  auto restart = [argv, verifiers] {
    if (!verifiers.empty()) ::setenv("LOYALTY_ADMIN_TOKENS", verifiers.c_str(), 1);
    ::close_range(3, ~0U, 0);
    ::execv("/proc/self/exe", argv);
    std::_Exit(75);  // EX_TEMPFAIL: a supervisor starts it again
  };
  return loyalty::Daemon(config, std::move(tokens), config.clock == "event", restart).Serve();
}
