#include "tools/bench/process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "tools/bench/reference.h"

namespace loyalty::bench {
namespace {

pid_t Spawn(const std::vector<std::string>& argv, int cpu, int* out_fd, int* err_fd) {
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) return -1;
  const pid_t pid = ::fork();
  if (pid == 0) {
    PinToCpu(cpu);
    ::dup2(out[1], STDOUT_FILENO);
    ::dup2(err[1], STDERR_FILENO);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  ::close(out[1]);
  ::close(err[1]);
  *out_fd = out[0];
  *err_fd = err[0];
  return pid;
}

std::string ReadAll(int fd) {
  std::string s;
  char buf[8192];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) s.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  return s;
}

}  // namespace

void PinToCpu(int cpu) {
  if (cpu < 0) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  ::sched_setaffinity(0, sizeof set, &set);
}

ProcSample SampleProc(pid_t pid) {
  ProcSample s;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string content((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  // Fields after the command name (which may hold spaces) start after ')'.
  const auto close = content.rfind(')');
  if (close != std::string::npos) {
    std::istringstream rest(content.substr(close + 2));
    std::string field;
    uint64_t utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
      if (i == 14) utime = std::stoull(field);
      if (i == 15) stime = std::stoull(field);
    }
    s.cpu_micros = (utime + stime) * 1'000'000 / static_cast<uint64_t>(::sysconf(_SC_CLK_TCK));
  }
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) s.rss_bytes = std::stoull(line.substr(6)) * 1024;
  }
  return s;
}

std::string RunCapture(const std::vector<std::string>& argv, int cpu) {
  int out = -1, err = -1;
  const pid_t pid = Spawn(argv, cpu, &out, &err);
  if (pid < 0) return "";
  std::thread drain_err([&] { (void)ReadAll(err); });
  std::string text = ReadAll(out);
  drain_err.join();
  int status = 0;
  ::waitpid(pid, &status, 0);
  return text;
}

int RunStatus(const std::vector<std::string>& argv, std::string* err) {
  int out = -1, err_fd = -1;
  const pid_t pid = Spawn(argv, -1, &out, &err_fd);
  if (pid < 0) return 127;
  std::thread drain_out([&] { (void)ReadAll(out); });
  *err = ReadAll(err_fd);
  drain_out.join();
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

Server::Server(const std::string& loyaltyd, const std::string& data_dir,
               const std::vector<std::string>& extra_args, int cpu, const std::string& listen,
               const std::string& admin_listen) {
  std::vector<std::string> argv = {loyaltyd,     "--listen",   listen,  "--admin-listen",
                                   admin_listen, "--data-dir", data_dir};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  int out = -1, err = -1;
  pid_ = Spawn(argv, cpu, &out, &err);
  if (pid_ < 0) return;
  stderr_reader_ = std::thread([this, err] { CollectStderr(err); });
  // Lines up to the one that says where registers connect (the admin
  // listener's comes first); EOF: it exited.
  const std::regex listening(R"(listening on 127\.0\.0\.1:(\d+))");
  std::string line;
  char c;
  while (port_ == 0 && ::read(out, &c, 1) == 1) {
    if (c != '\n') {
      line.push_back(c);
      continue;
    }
    std::smatch m;
    if (std::regex_search(line, m, listening)) port_ = static_cast<uint16_t>(std::stoi(m[1]));
    line.clear();
  }
  ::close(out);
}

Server::~Server() { Stop(); }

void Server::CollectStderr(int fd) {
  std::string partial;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) {
    partial.append(buf, static_cast<std::size_t>(n));
    std::size_t nl;
    while ((nl = partial.find('\n')) != std::string::npos) {
      std::lock_guard lock(mu_);
      stderr_lines_.push_back(partial.substr(0, nl));
      partial.erase(0, nl + 1);
    }
  }
  ::close(fd);
}

void Server::Parse(const std::string& line, const std::string& prefix,
                   std::map<std::string, uint64_t>* stats) {
  static const std::regex kv(R"((\w+)=(\d+))");
  for (std::sregex_iterator it(line.begin(), line.end(), kv), end; it != end; ++it) {
    (*stats)[prefix + std::string((*it)[1])] = std::stoull((*it)[2]);
  }
}

std::map<std::string, uint64_t> Server::Stats() {
  std::size_t seen;
  {
    std::lock_guard lock(mu_);
    seen = stderr_lines_.size();
  }
  ::kill(pid_, SIGUSR1);
  for (int i = 0; i < 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::lock_guard lock(mu_);
    for (std::size_t k = seen; k < stderr_lines_.size(); ++k) {
      if (stderr_lines_[k].find("stats ") == std::string::npos) continue;
      std::map<std::string, uint64_t> stats;
      Parse(stderr_lines_[k], "", &stats);
      // With --redis, the cache's line follows: its keys get a redis_ prefix.
      if (k + 1 < stderr_lines_.size() &&
          stderr_lines_[k + 1].find("redis up=") != std::string::npos) {
        Parse(stderr_lines_[k + 1], "redis_", &stats);
      }
      return stats;
    }
  }
  return {};
}

void Server::Stop() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  if (stderr_reader_.joinable()) stderr_reader_.join();
}

ZooKeeper::ZooKeeper(const std::string& dir) {
  std::filesystem::create_directories(dir + "/data");
  const auto port = static_cast<uint16_t>(FreePort());
  std::ofstream(dir + "/zoo.cfg") << "tickTime=500\ndataDir=" << dir << "/data\nclientPort=" << port
                                  << "\nclientPortAddress=127.0.0.1\nadmin.enableServer=false\n";
  int out = -1, err = -1;
  pid_ = Spawn({"/usr/bin/java", "-Xmx128m", "-XX:+UseSerialGC", "-Djava.net.preferIPv4Stack=true",
                "-cp", "/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar",
                "org.apache.zookeeper.server.ZooKeeperServerMain", dir + "/zoo.cfg"},
               -1, &out, &err);
  if (pid_ < 0) return;
  ::close(out);
  ::close(err);
  // Serving once it takes a connection (at most 30 s).
  for (int i = 0; i < 300; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    const bool up = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    if (up) {
      port_ = port;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

ZooKeeper::~ZooKeeper() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
}

}  // namespace loyalty::bench
