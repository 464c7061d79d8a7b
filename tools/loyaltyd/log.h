// loyaltyd's log on stderr (spdlog). Two formats:
//   text  2026-11-23 06:34:06.123+00:00 info loyaltyd: started ...   (people;
//         local time with its offset)
//   json  {"ts":"2026-11-23T06:34:06.123Z","level":"info","version":"0.1.0",
//          "event":"start","msg":"started ..."}
// Every JSON line carries the version; the lines an operator's pipeline
// filters on (start, stop, the store refusing writes, rules changes,
// backups) carry an "event" and their fields ("reason", "operator", ...),
// LogEvent. The text format shows the message only.
// One line per start, stop, rules change; refused requests through a
// RateLimitedLog. Card numbers are masked by the callers (http::MaskCard)
// before they reach a line.
// Thread safety: spdlog's _mt logger; RateLimitedLog takes a mutex.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace loyalty {

void SetUpLog(bool json);
void LogInfo(const std::string& line);
void LogWarn(const std::string& line);
void LogError(const std::string& line);

enum class LogLevel { kInfo, kWarn, kError };
using LogFields = std::vector<std::pair<std::string, std::string>>;
// A line with an event name and fields beyond the message (JSON keys).
void LogEvent(LogLevel level, const std::string& event, const std::string& line,
              const LogFields& fields = {});

// At most `lines_max` lines per `window`; then one line saying how many
// were left out once the window turns.
class RateLimitedLog {
 public:
  RateLimitedLog(int lines_max, std::chrono::milliseconds window)
      : lines_max_(lines_max), window_(window) {}
  void Warn(const std::string& line);

 private:
  const int lines_max_;
  const std::chrono::milliseconds window_;
  std::mutex mu_;
  std::chrono::steady_clock::time_point window_start_{};
  int lines_ = 0;
  uint64_t left_out_ = 0;
};

}  // namespace loyalty
