#include "tools/bench/reference.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <regex>
#include <sstream>
#include <thread>

#include "tools/bench/process.h"

namespace loyalty::bench {
namespace {

double Match(const std::string& text, const std::string& pattern) {
  std::smatch m;
  if (!std::regex_search(text, m, std::regex(pattern))) return 0;
  return std::stod(m[1]);
}

// The "Percentiles: P50: x ... P99: y" line that follows a benchmark's line.
double Percentile(const std::string& text, const std::string& bench, const std::string& p) {
  const auto at = text.find(bench + " ");
  if (at == std::string::npos) return 0;
  return Match(text.substr(at), p + R"(: ([0-9.]+))");
}

}  // namespace

DbBenchFigures RunDbBench(const std::string& dir, uint64_t keys, int value_size, int batch,
                          double seconds, int cpu) {
  DbBenchFigures f;
  const std::string common_keys = "--num=" + std::to_string(keys);
  const std::string vs = "--value_size=" + std::to_string(value_size);
  const std::string dur = "--duration=" + std::to_string(static_cast<int>(seconds));
  const std::string rmw =
      RunCapture({"db_bench", "--benchmarks=fillseq,updaterandom,readrandom", common_keys, vs, dur,
                  "--sync=0", "--histogram=1", "--db=" + dir + "/rmw", "--threads=1"},
                 cpu);
  f.updaterandom_ops = Match(rmw, R"(updaterandom\s*:\s*[0-9.]+ micros/op ([0-9]+) ops/sec)");
  f.readrandom_ops = Match(rmw, R"(readrandom\s*:\s*[0-9.]+ micros/op ([0-9]+) ops/sec)");
  const std::string sync = RunCapture(
      {"db_bench", "--benchmarks=fillrandom", common_keys, vs, dur, "--sync=1",
       "--batch_size=" + std::to_string(batch), "--histogram=1", "--db=" + dir + "/sync"},
      cpu);
  f.fillsync_ops = Match(sync, R"(fillrandom\s*:\s*[0-9.]+ micros/op ([0-9]+) ops/sec)");
  f.fillsync_p50_micros = Percentile(sync, "fillrandom", "P50");
  f.fillsync_p99_micros = Percentile(sync, "fillrandom", "P99");
  return f;
}

pid_t StartRedisServer(const std::string& dir, int port, int cpu) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    PinToCpu(cpu);
    ::execlp("redis-server", "redis-server", "--port", std::to_string(port).c_str(), "--bind",
             "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.c_str(), "--logfile",
             (dir + "/redis.log").c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  return pid;
}

void StopRedisServer(pid_t pid) {
  if (pid <= 0) return;
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
}

int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

RedisFigures RunRedisBench(const std::string& dir, int port, int value_size, int server_cpu,
                           int load_cpu) {
  RedisFigures f;
  const pid_t pid = StartRedisServer(dir, port, server_cpu);
  const std::string p = std::to_string(port);
  const std::string d = std::to_string(value_size);
  const std::string c50 = RunCapture({"redis-benchmark", "-h", "127.0.0.1", "-p", p, "-t",
                                      "set,get", "-c", "50", "-n", "300000", "-d", d, "--csv"},
                                     load_cpu);
  const std::string c1 = RunCapture({"redis-benchmark", "-h", "127.0.0.1", "-p", p, "-t", "set,get",
                                     "-c", "1", "-n", "50000", "-d", d, "--csv"},
                                    load_cpu);
  // "GET","123456.78","0.2","0.1","0.2",...: test, rps, avg, min, p50, ...
  const std::string row = R"re("GET","([0-9.]+)","[0-9.]+","[0-9.]+","([0-9.]+)")re";
  f.get_rps_c50 = Match(c50, row);
  f.get_rps_c1 = Match(c1, row);
  std::smatch m;
  if (std::regex_search(c1, m, std::regex(row))) f.get_p50_ms_c1 = std::stod(m[2]);
  StopRedisServer(pid);
  return f;
}

}  // namespace loyalty::bench
