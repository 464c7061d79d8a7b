// RocksDB's informational log (the LOG file in the store's directory),
// written by the store rather than by RocksDB's own logger. RocksDB's logger
// asserts when it writes again after a failed write, which on a full disk
// aborts the process (Debian's librocksdb keeps its assertions): loyaltyd
// restarting on a full disk would loop. This one drops what it cannot write.
//
// The previous LOG becomes LOG.old when the store opens, and again when LOG
// passes log_bytes_max. Lines at ERROR and above also go to `on_error`.
//
// Thread safety: RocksDB calls Logv from any thread; a mutex orders lines.
#pragma once

#include <rocksdb/env.h>

#include <cstdarg>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

namespace loyalty {

class InfoLog final : public rocksdb::Logger {
 public:
  static constexpr uint64_t kLogBytesMax = 64 << 20;
  InfoLog(std::string dir, std::function<void(const std::string&)> on_error);
  ~InfoLog() override;

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override;
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override;

 private:
  void Open();  // under mu_
  void Write(const std::string& line);

  std::string dir_;
  std::function<void(const std::string&)> on_error_;
  std::mutex mu_;
  int fd_ = -1;
  uint64_t bytes_ = 0;
};

}  // namespace loyalty
