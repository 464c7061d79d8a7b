#include "tools/loyaltyd/redis_cache.h"

#include <algorithm>

#include "adapters/redis/connection.h"
#include "adapters/redis/schema.h"

namespace loyalty {

Result<std::unique_ptr<redis::Publisher>> MakeRedisCache(const config_file::Config& config,
                                                         const Store& store,
                                                         redis::Publisher::ClockFn clock) {
  if (config.redis.empty()) return std::unique_ptr<redis::Publisher>();
  auto endpoint = redis::ParseEndpoint(config.redis);
  if (!endpoint.ok()) return endpoint.status();
  redis::PublisherOptions o;
  o.endpoint = *endpoint;
  o.key_prefix = config.redis_key_prefix;
  o.connect_timeout_ms = config.redis_connect_timeout_ms;
  o.command_timeout_ms = config.redis_command_timeout_ms;
  o.ttl_s = config.redis_ttl_s;
  o.backlog_max = config.redis_backlog_max;
  o.dirty_max = config.redis_dirty_max;
  if (Status s = redis::ValidateOptions(o); !s.ok()) return s;
  redis::StateSource source;
  source.load = [&store](const std::string& id) { return store.GetCustomer(id); };
  source.for_each = [&store](const std::function<Status(const CustomerState&)>& visit) {
    return store.ForEachCustomer(visit);
  };
  return std::make_unique<redis::Publisher>(o, std::move(source), std::move(clock));
}

CommitListener CommitListenerFor(redis::Publisher* publisher) {
  if (publisher == nullptr) return {};
  return [publisher](const CustomerState& state, TimeMs now_ms) {
    publisher->OnCommit(state, now_ms);
  };
}

Status ForgetInRedis(const config_file::Config& config, const redis::Publisher* publisher,
                     const std::string& card, const std::string& customer_id) {
  if (config.redis.empty() || publisher == nullptr) return Status::Ok();
  (void)publisher->WaitUntilIdle(5'000);
  auto endpoint = redis::ParseEndpoint(config.redis);
  if (!endpoint.ok()) return endpoint.status();
  auto c = redis::Connection::Open(*endpoint, config.redis_connect_timeout_ms,
                                   std::max<int64_t>(config.redis_command_timeout_ms, 1'000));
  if (!c.ok()) return c.status();
  const redis::KeySchema keys(config.redis_key_prefix);
  std::vector<std::string> del = {"DEL", keys.CardKey(card)};
  if (!customer_id.empty()) del.push_back(keys.CustomerKey(customer_id));
  (*c)->Append(del);
  auto reply = (*c)->Read();
  return reply.ok() ? Status::Ok() : reply.status();
}

std::function<Status(const std::string&, const std::string&)> RedisForgetter(
    const config_file::Config& config, const redis::Publisher* publisher) {
  return [&config, publisher](const std::string& card, const std::string& customer_id) {
    return ForgetInRedis(config, publisher, card, customer_id);
  };
}

std::string RedisStatsLine(const redis::PublisherCounters& c) {
  std::string line = "redis up=" + std::to_string(c.cache_up ? 1 : 0);
  auto add = [&line](const char* name, auto value) {
    line += std::string(" ") + name + "=" + std::to_string(value);
  };
  add("published", c.published);
  add("stale_skipped", c.stale_skipped);
  add("refused", c.refused);
  add("backlog", c.backlog);
  add("dirty", c.dirty);
  add("republished", c.republished);
  add("resyncs", c.resyncs);
  add("errors", c.errors);
  add("lag_p50_us", c.lag_p50_us);
  add("lag_p99_us", c.lag_p99_us);
  if (!c.last_error.empty()) line += " last_error=\"" + c.last_error + "\"";
  return line;
}

}  // namespace loyalty
