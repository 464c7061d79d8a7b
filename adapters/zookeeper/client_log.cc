#include "adapters/zookeeper/client_log.h"

#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace loyalty::zk {

using Clock = std::chrono::steady_clock;

// The C client logs through a callback without a context, so this is
// process-wide: its INFO lines (a dozen per connect) are dropped; a warning or
// error from one place in the client goes to stderr at most once per 10 s,
// with how many were held back (a dead server is otherwise 10 lines/s).
void ClientLog(const char* message) {
  constexpr auto kQuiet = std::chrono::seconds(10);
  const std::string_view text(message);
  const size_t level = text.find("ZOO_");
  if (level == std::string_view::npos || text.compare(level, 9, "ZOO_INFO@") == 0 ||
      text.compare(level, 10, "ZOO_DEBUG@") == 0) {
    return;
  }
  const std::string_view what = text.substr(level);
  const std::string site(what.substr(0, what.find(": ")));
  static std::mutex mu;
  static std::map<std::string, std::pair<Clock::time_point, int>> last;  // site -> when, held
  std::lock_guard lock(mu);
  auto& [when, held] = last[site];
  const auto now = Clock::now();
  if (when != Clock::time_point() && now - when < kQuiet) {
    ++held;
    return;
  }
  std::fprintf(stderr, "zookeeper client: %.*s", static_cast<int>(what.size()), what.data());
  if (held > 0) std::fprintf(stderr, " (and %d more like it)", held);
  std::fputc('\n', stderr);
  when = now;
  held = 0;
}

}  // namespace loyalty::zk
