// The reference tools loyalty-bench --compare measures the engine against,
// run on the same machine, pinned the same way: RocksDB's db_bench and
// redis-benchmark. Each returns the figures its output states (0 when the
// tool is missing or its output did not parse; the caller reports that).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace loyalty::bench {

struct DbBenchFigures {
  double updaterandom_ops = 0;  // read-modify-write, WAL on, sync off
  double readrandom_ops = 0;
  double fillsync_ops = 0;         // fillrandom, sync on, batch of `batch` keys
  double fillsync_p50_micros = 0;  // per batch write (one fsync)
  double fillsync_p99_micros = 0;
};

DbBenchFigures RunDbBench(const std::string& dir, uint64_t keys, int value_size, int batch,
                          double seconds, int cpu);

struct RedisFigures {
  double get_rps_c50 = 0;
  double get_p50_ms_c1 = 0;
  double get_rps_c1 = 0;
};

// A redis-server on 127.0.0.1:`port` pinned to `cpu`, no persistence; its
// pid (or -1). StopRedisServer ends it.
pid_t StartRedisServer(const std::string& dir, int port, int cpu);
void StopRedisServer(pid_t pid);
// A port that was free a moment ago on 127.0.0.1.
int FreePort();

// Starts redis-server on `port` pinned to `server_cpu`, runs redis-benchmark
// GET pinned to `load_cpu`, stops the server.
RedisFigures RunRedisBench(const std::string& dir, int port, int value_size, int server_cpu,
                           int load_cpu);

}  // namespace loyalty::bench
