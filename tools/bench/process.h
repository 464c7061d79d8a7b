// Child processes for the benchmark: loyaltyd, db_bench, redis, each pinned to
// a CPU; and what /proc says about them (CPU time, RSS).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace loyalty::bench {

// Pins the calling thread (and what it execs) to one CPU; -1 leaves it free.
void PinToCpu(int cpu);

// CPU time (user + system, microseconds) and resident memory of a process.
struct ProcSample {
  uint64_t cpu_micros = 0;
  uint64_t rss_bytes = 0;
};
ProcSample SampleProc(pid_t pid);

// Runs a command to completion on `cpu`, returning its stdout and stderr.
std::string RunCapture(const std::vector<std::string>& argv, int cpu);
// Runs a command to completion, unpinned; its exit code (127: could not run
// it, 128 + N: killed by signal N), with its stderr in *err.
int RunStatus(const std::vector<std::string>& argv, std::string* err);

// loyaltyd started by the benchmark: pinned, on 127.0.0.1 port 0, its
// stderr collected so the stats line (SIGUSR1) can be read.
class Server {
 public:
  // `listen` and `admin_listen`: port 0 takes any free one (a node of a
  // group needs fixed ones: its peers are told them).
  Server(const std::string& loyaltyd, const std::string& data_dir,
         const std::vector<std::string>& extra_args, int cpu,
         const std::string& listen = "127.0.0.1:0",
         const std::string& admin_listen = "127.0.0.1:0");
  ~Server();
  bool ok() const { return port_ != 0; }
  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  // Asks for a stats line and parses it: events, groups, grouped_events...
  std::map<std::string, uint64_t> Stats();
  void Stop();

 private:
  void CollectStderr(int fd);
  static void Parse(const std::string& line, const std::string& prefix,
                    std::map<std::string, uint64_t>* stats);
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::thread stderr_reader_;
  std::mutex mu_;
  std::vector<std::string> stderr_lines_;
};

// A ZooKeeper server (Debian's jars, java) on a free loopback port, its data
// under `dir`, with its default durability (its log fsynced).
class ZooKeeper {
 public:
  explicit ZooKeeper(const std::string& dir);
  ~ZooKeeper();
  bool ok() const { return port_ != 0; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

}  // namespace loyalty::bench
