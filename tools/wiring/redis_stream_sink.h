// RedisStreamSink: events out appended to a Redis stream for in-house
// consumers (XADD KEY MAXLEN ~ N * id ID type TYPE subject SUBJECT event
// JSON), one pipelined round trip a batch. The stream is bounded (MAXLEN ~):
// a consumer that falls further behind than that loses the oldest entries.
// At least once: a consumer de-duplicates by the `id` field. The connection
// is the Redis adapter's (adapters/redis/connection.h); a failure drops it
// and the next batch opens a new one.
//
// Thread safety: the dispatcher's thread only.
#pragma once

#include <memory>
#include <string>

#include "adapters/redis/connection.h"
#include "tools/wiring/outbox_dispatcher.h"

namespace loyalty {

struct RedisStreamOptions {
  redis::Endpoint endpoint;
  std::string key = "loyalty:events";
  int64_t maxlen = 1'000'000;
  int64_t connect_timeout_ms = 1'000;
  int64_t command_timeout_ms = 5'000;
};

class RedisStreamSink final : public OutboxSink {
 public:
  explicit RedisStreamSink(RedisStreamOptions options);
  ~RedisStreamSink() override;
  std::string name() const override;  // "redis stream <key> at host:port"
  Status Deliver(const std::vector<std::string>& events_json) override;

 private:
  RedisStreamOptions options_;
  std::unique_ptr<redis::Connection> connection_;
};

}  // namespace loyalty
