#include "adapters/rocksdb/info_log.h"

#include <fcntl.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>

namespace loyalty {

InfoLog::InfoLog(std::string dir, std::function<void(const std::string&)> on_error)
    : dir_(std::move(dir)), on_error_(std::move(on_error)) {
  std::lock_guard lock(mu_);
  Open();
}

InfoLog::~InfoLog() {
  if (fd_ >= 0) ::close(fd_);
}

void InfoLog::Open() {
  if (fd_ >= 0) ::close(fd_);
  const std::string path = dir_ + "/LOG";
  ::rename(path.c_str(), (path + ".old").c_str());  // none yet is fine
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  bytes_ = 0;
}

void InfoLog::Write(const std::string& line) {
  std::lock_guard lock(mu_);
  if (bytes_ + line.size() > kLogBytesMax) Open();
  if (fd_ < 0) return;
  // A short or failed write (a full disk) loses the line and nothing else.
  const ssize_t n = ::write(fd_, line.data(), line.size());
  if (n > 0) bytes_ += static_cast<uint64_t>(n);
}

void InfoLog::Logv(const char* format, va_list ap) {
  Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap);
}

void InfoLog::Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) {
  if (level < GetInfoLogLevel()) return;
  char body[1024];
  const int n = std::vsnprintf(body, sizeof body, format, ap);
  if (n < 0) return;
  std::string text(body, std::min<std::size_t>(std::size_t(n), sizeof body - 1));
  while (!text.empty() && text.back() == '\n') text.pop_back();
  struct timeval now {};
  ::gettimeofday(&now, nullptr);
  std::tm tm{};
  ::localtime_r(&now.tv_sec, &tm);
  char stamp[40];
  const std::size_t len = std::strftime(stamp, sizeof stamp, "%Y/%m/%d-%H:%M:%S", &tm);
  std::snprintf(stamp + len, sizeof stamp - len, ".%06ld ", static_cast<long>(now.tv_usec));
  Write(stamp + text + "\n");
  if (level >= rocksdb::InfoLogLevel::ERROR_LEVEL && on_error_) on_error_(text);
}

}  // namespace loyalty
