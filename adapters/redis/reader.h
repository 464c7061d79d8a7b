// Reader: reads a profile snapshot straight from Redis, as another channel
// (web shop, app, kiosk) would, following the key schema of schema.h. Small
// and synchronous: for the CLI and tests.
//
// Failure: Redis unreachable or timing out is a Status (kIoError); a card
// or customer with no snapshot is an empty optional; a snapshot this build
// cannot read is kCorruption.
// Thread safety: thread-compatible (one connection, one thread).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "adapters/redis/connection.h"
#include "adapters/redis/schema.h"
#include "engine/status.h"

namespace loyalty::redis {

class Reader {
 public:
  static Result<std::unique_ptr<Reader>> Open(const Endpoint& endpoint, KeySchema schema,
                                              int64_t timeout_ms);

  Result<std::optional<Snapshot>> ByCard(const std::string& card);
  Result<std::optional<Snapshot>> ByCustomer(const std::string& customer_id);

 private:
  Reader(std::unique_ptr<Connection> connection, KeySchema schema);

  std::unique_ptr<Connection> connection_;
  KeySchema schema_;
};

}  // namespace loyalty::redis
