// The hot profile cache as loyaltyd runs it: a redis::Publisher configured
// from the config file / flags, reading the store for republishing. Lives in
// tools/ because it joins two adapters (redis and rocksdb).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "adapters/redis/publisher.h"
#include "adapters/rocksdb/store.h"
#include "adapters/yaml/config_file.h"
#include "engine/runtime/runtime.h"

namespace loyalty {

// Null (and ok) when config.redis is empty: the engine runs without a cache.
// A bad address or option is a Status naming it. Not started: give it the
// runtime's view (SetView), then Start it; it never waits for Redis to be
// reachable. Commits offered before Start wait in its backlog.
Result<std::unique_ptr<redis::Publisher>> MakeRedisCache(const config_file::Config& config,
                                                         const Store& store,
                                                         redis::Publisher::ClockFn clock);

// The runtime's commit listener that hands states to `publisher`; empty
// (no listener) when `publisher` is null.
CommitListener CommitListenerFor(redis::Publisher* publisher);

// Removes what the cache holds for a customer who is gone or a card that
// is (an erasure, a replacement): `card`'s key, and the customer's under
// `customer_id` when not empty. Waits (up to 5 s) until the publisher has
// written what was offered before, so nothing it still had queued writes
// them back. Ok when there is no cache (config.redis empty).
Status ForgetInRedis(const config_file::Config& config, const redis::Publisher* publisher,
                     const std::string& card, const std::string& customer_id);
// ForgetInRedis bound to `config` and `publisher` (both must outlive it).
std::function<Status(const std::string& card, const std::string& customer_id)> RedisForgetter(
    const config_file::Config& config, const redis::Publisher* publisher);

// "redis up=1 published=... lag_p50_us=..." for the log.
std::string RedisStatsLine(const redis::PublisherCounters& c);

}  // namespace loyalty
