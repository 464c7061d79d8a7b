#include "tools/loyaltyd/store_open.h"

#include <chrono>
#include <thread>

#include "tools/loyaltyd/log.h"

namespace loyalty {

Result<std::unique_ptr<Store>> OpenStore(const StoreOptions& options, int64_t wait_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  bool told = false;
  while (true) {
    auto store = Store::Open(options);
    if (store.ok() || store.status().message().find("lock") == std::string::npos ||
        std::chrono::steady_clock::now() >= deadline) {
      return store;
    }
    if (!told) LogWarn("the store is locked by another process; waiting for it");
    told = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

void LogStoreHealth(const StoreHealth& h) {
  const std::string detail = h.detail.empty() ? "" : " (" + h.detail + ")";
  if (h.writable) {
    LogEvent(LogLevel::kInfo, "store_writable", "the store takes writes again" + detail);
  } else {
    LogEvent(LogLevel::kError, "store_refuses_writes",
             "the store refuses writes: " + h.reason + detail +
                 "; lookups go on, sales get UNAVAILABLE, /readyz says 503",
             {{"reason", h.reason}});
  }
}

}  // namespace loyalty
