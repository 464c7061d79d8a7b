#include "tools/loyaltyd/log.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <ctime>
#include <memory>

#include "adapters/http/router.h"
#include "tools/build_info/build_info.h"

namespace loyalty {
namespace {

// The event and fields of the line being written (LogEvent), read by the
// JSON formatter on the same thread (the logger is synchronous).
thread_local const std::string* tl_event = nullptr;
thread_local const LogFields* tl_fields = nullptr;

// One JSON object a line; the message is escaped, so a line always parses.
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch()).count();
    const std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char ts[40];
    const std::size_t n = std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
    std::snprintf(ts + n, sizeof ts - n, ".%03dZ", static_cast<int>(ms % 1000));
    const auto level = spdlog::level::to_string_view(msg.level);
    std::string line = std::string("{\"ts\":\"") + ts + "\",\"level\":\"" +
                       std::string(level.data(), level.size()) +
                       "\",\"version\":" + http::JsonString(build_info::Version());
    if (tl_event) line += ",\"event\":" + http::JsonString(*tl_event);
    if (tl_fields) {
      for (const auto& [key, value] : *tl_fields) {
        line += "," + http::JsonString(key) + ":" + http::JsonString(value);
      }
    }
    line +=
        ",\"msg\":" + http::JsonString(std::string_view(msg.payload.data(), msg.payload.size())) +
        "}\n";
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

std::shared_ptr<spdlog::logger>& Logger() {
  static std::shared_ptr<spdlog::logger> logger = spdlog::stderr_logger_mt("loyaltyd");
  return logger;
}

}  // namespace

void SetUpLog(bool json) {
  auto& logger = Logger();
  if (json) {
    logger->set_formatter(std::make_unique<JsonFormatter>());
  } else {
    logger->set_pattern("%Y-%m-%d %H:%M:%S.%e%z %l loyaltyd: %v");
  }
  logger->flush_on(spdlog::level::trace);  // every line at once: operators tail it
}

void LogInfo(const std::string& line) { Logger()->info(line); }
void LogWarn(const std::string& line) { Logger()->warn(line); }
void LogError(const std::string& line) { Logger()->error(line); }

void LogEvent(LogLevel level, const std::string& event, const std::string& line,
              const LogFields& fields) {
  tl_event = &event;
  tl_fields = &fields;
  switch (level) {
    case LogLevel::kInfo: LogInfo(line); break;
    case LogLevel::kWarn: LogWarn(line); break;
    case LogLevel::kError: LogError(line); break;
  }
  tl_event = nullptr;
  tl_fields = nullptr;
}

void RateLimitedLog::Warn(const std::string& line) {
  std::lock_guard lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  if (now - window_start_ >= window_) {
    if (left_out_ > 0) {
      LogWarn(std::to_string(left_out_) + " more refused requests not logged (rate limit)");
    }
    window_start_ = now;
    lines_ = 0;
    left_out_ = 0;
  }
  if (lines_ < lines_max_) {
    lines_ += 1;
    LogWarn(line);
  } else {
    left_out_ += 1;
  }
}

}  // namespace loyalty
