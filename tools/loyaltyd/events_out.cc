#include "tools/loyaltyd/events_out.h"

#include <fstream>
#include <iterator>
#include <set>

#include "adapters/redis/connection.h"
#include "engine/outbox.h"
#include "tools/wiring/redis_stream_sink.h"
#include "tools/wiring/webhook_sink.h"

namespace loyalty {

Result<std::unique_ptr<OutboxDispatcher>> MakeOutbox(const config_file::Config& config,
                                                     Store& store, RuntimeOptions& runtime) {
  std::vector<std::unique_ptr<OutboxSink>> sinks;
  std::set<std::string> staged;
  if (!config.webhook_url.empty()) {
    std::ifstream in(config.webhook_secret_file, std::ios::binary);
    std::string secret((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
    if (!in && secret.empty()) {
      return Status::Invalid("webhook_secret_file " + config.webhook_secret_file +
                             " cannot be read");
    }
    if (secret.size() < 16) {
      return Status::Invalid("webhook_secret_file " + config.webhook_secret_file +
                             " holds fewer than 16 bytes: use openssl rand -hex 32");
    }
    auto types = OutboxTypesOf(config.webhook_events);
    if (!types.ok()) return Status::Invalid("webhook_events: " + types.status().message());
    staged = *types;
    sinks.push_back(std::make_unique<WebhookSink>(
        WebhookOptions{config.webhook_url, secret, *types, config.webhook_timeout_ms, ""}));
  }
  if (!config.events_redis_stream.empty()) {
    auto endpoint = redis::ParseEndpoint(config.redis);
    if (!endpoint.ok()) return Status::Invalid("redis: " + endpoint.status().message());
    staged = *OutboxTypesOf("all");
    RedisStreamOptions o;
    o.endpoint = *endpoint;
    o.key = config.events_redis_stream;
    o.maxlen = config.events_redis_maxlen;
    sinks.push_back(std::make_unique<RedisStreamSink>(o));
  }
  if (sinks.empty()) return std::unique_ptr<OutboxDispatcher>();
  runtime.outbox_types = staged;
  runtime.outbox_source = "/loyaltyd/" + store.store_id();
  DispatcherOptions options;
  options.max_tries = static_cast<uint32_t>(config.webhook_max_tries);
  return std::make_unique<OutboxDispatcher>(store, std::move(sinks), options);
}

}  // namespace loyalty
