#include "adapters/yaml/config_file.h"

#include <yaml-cpp/yaml.h>

#include <set>

namespace loyalty::config_file {
namespace {

const std::set<std::string> kKnown = {"listen",
                                      "data_dir",
                                      "rules",
                                      "shards",
                                      "durability",
                                      "connections_max",
                                      "inflight_max",
                                      "read_timeout_ms",
                                      "idle_timeout_ms",
                                      "redis",
                                      "redis_key_prefix",
                                      "redis_connect_timeout_ms",
                                      "redis_command_timeout_ms",
                                      "redis_ttl_s",
                                      "redis_backlog_max",
                                      "redis_dirty_max"};

std::string Where(const std::string& path, const YAML::Node& n, const std::string& key) {
  return path + ":" + std::to_string(n.Mark().line + 1) + ": " + key;
}

template <typename T>
Status ReadNumber(const std::string& path, const YAML::Node& n, const std::string& key, T lo, T hi,
                  T* out) {
  T v{};
  if (!YAML::convert<T>::decode(n, v) || v < lo || v > hi) {
    return Status::Invalid(Where(path, n, key) + " must be a whole number from " +
                           std::to_string(lo) + " to " + std::to_string(hi));
  }
  *out = v;
  return Status::Ok();
}

// The redis_* options; throws like ReadOption.
Status ReadRedisOption(const std::string& path, const std::string& key, const YAML::Node& v,
                       Config& c) {
  if (key == "redis") c.redis = v.as<std::string>();
  if (key == "redis_key_prefix") {
    c.redis_key_prefix = v.as<std::string>();
    if (c.redis_key_prefix.size() > 64) {
      return Status::Invalid(Where(path, v, key) + " is over 64 bytes");
    }
  }
  if (key == "redis_connect_timeout_ms") {
    return ReadNumber<int64_t>(path, v, key, 1, 60'000, &c.redis_connect_timeout_ms);
  }
  if (key == "redis_command_timeout_ms") {
    return ReadNumber<int64_t>(path, v, key, 1, 60'000, &c.redis_command_timeout_ms);
  }
  if (key == "redis_ttl_s") {
    return ReadNumber<int64_t>(path, v, key, 0, 316'224'000, &c.redis_ttl_s);  // 10 years
  }
  if (key == "redis_backlog_max") {
    return ReadNumber<std::size_t>(path, v, key, 1, 10'000'000, &c.redis_backlog_max);
  }
  if (key == "redis_dirty_max") {
    return ReadNumber<std::size_t>(path, v, key, 1, 100'000'000, &c.redis_dirty_max);
  }
  return Status::Ok();
}

// Throws YAML::Exception when a value is not a scalar; LoadFile catches it.
Status ReadOption(const std::string& path, const YAML::Node& k, const YAML::Node& v, Config& c) {
  const std::string key = k.as<std::string>();
  if (!kKnown.count(key)) return Status::Invalid(Where(path, k, key) + " is not a known option");
  if (key.rfind("redis", 0) == 0) return ReadRedisOption(path, key, v, c);
  if (key == "listen") c.listen = v.as<std::string>();
  if (key == "data_dir") c.data_dir = v.as<std::string>();
  if (key == "rules") c.rules = v.as<std::string>();
  if (key == "durability") {
    c.durability = v.as<std::string>();
    if (c.durability != "sync" && c.durability != "async") {
      return Status::Invalid(Where(path, v, key) + " must be sync or async");
    }
  }
  if (key == "shards") return ReadNumber<std::size_t>(path, v, key, 1, 64, &c.shards);
  if (key == "connections_max") {
    return ReadNumber<std::size_t>(path, v, key, 1, 100'000, &c.connections_max);
  }
  if (key == "inflight_max") return ReadNumber<std::size_t>(path, v, key, 1, 4096, &c.inflight_max);
  if (key == "read_timeout_ms") {
    return ReadNumber<int64_t>(path, v, key, 100, 600'000, &c.read_timeout_ms);
  }
  if (key == "idle_timeout_ms") {
    return ReadNumber<int64_t>(path, v, key, 100, 86'400'000, &c.idle_timeout_ms);
  }
  return Status::Ok();
}

}  // namespace

Result<Config> LoadFile(const std::string& path) {
  Config c;
  try {
    const YAML::Node root = YAML::LoadFile(path);
    if (root.IsNull()) return c;
    if (!root.IsMap()) return Status::Invalid(path + ": expected key: value lines");
    for (const auto& kv : root) {
      if (Status s = ReadOption(path, kv.first, kv.second, c); !s.ok()) return s;
    }
  } catch (const YAML::BadFile&) {
    return Status::Invalid("config file " + path + " cannot be read");
  } catch (const YAML::Exception& e) {
    return Status::Invalid(path + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  return c;
}

}  // namespace loyalty::config_file
