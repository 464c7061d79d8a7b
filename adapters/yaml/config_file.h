// The server's config file (YAML). Every option has a default, so an empty
// file is valid; unknown keys and out-of-range values are refused with the
// option's name and the reason. Flags override the file (loyaltyd/main.cc).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/limits.h"
#include "engine/status.h"

namespace loyalty::config_file {

struct Config {
  std::string listen = "127.0.0.1:7070";  // registers connect here
  std::string data_dir = "./var";         // RocksDB directory
  std::string rules;                      // rules file; empty: built-in defaults
  std::size_t shards = 2;                 // writer threads, 1..64
  std::string durability = "sync";        // sync | async
  std::size_t connections_max = limits::kConnectionsDefaultMax;
  std::size_t inflight_max = limits::kInflightPerConnectionDefaultMax;  // per connection
  int64_t read_timeout_ms = 10'000;
  int64_t idle_timeout_ms = 300'000;
  // Hot profile cache (adapters/redis). Empty address: no cache.
  std::string redis;                          // HOST:PORT
  std::string redis_key_prefix = "loyalty:";  // at most 64 bytes
  int64_t redis_connect_timeout_ms = 100;     // 1..60000
  int64_t redis_command_timeout_ms = 100;     // 1..60000, per pipelined round trip
  int64_t redis_ttl_s = 2'592'000;            // 30 days; 0: keys never expire
  std::size_t redis_backlog_max = 65'536;     // snapshots queued for Redis
  std::size_t redis_dirty_max = 100'000;      // customers remembered while Redis is away
};

Result<Config> LoadFile(const std::string& path);

}  // namespace loyalty::config_file
