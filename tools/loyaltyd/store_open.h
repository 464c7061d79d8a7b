// The store as the daemon opens it: waiting for a previous process's lock,
// and what it logs when the store stops or resumes taking writes.
#pragma once

#include <cstdint>
#include <memory>

#include "adapters/rocksdb/store.h"

namespace loyalty {

// Another process (a previous loyaltyd still stopping) may hold the
// database's lock: waits for it up to `wait_ms`.
Result<std::unique_ptr<Store>> OpenStore(const StoreOptions& options, int64_t wait_ms);

// Once per change, not per sale: the refusals themselves are counted
// (loyalty_commit_failures_total) and answered UNAVAILABLE.
void LogStoreHealth(const StoreHealth& health);

}  // namespace loyalty
