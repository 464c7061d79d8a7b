#include "tests/adapters/redis/redis_server.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <thread>

#include "tests/support/free_port.h"

namespace loyalty::testing {
namespace {

std::string FindRedisServer() {
  std::string path = std::getenv("PATH") != nullptr ? std::getenv("PATH") : "";
  path += ":/usr/bin:/usr/sbin:/usr/local/bin";
  std::stringstream dirs(path);
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const std::string candidate = dir + "/redis-server";
    if (!dir.empty() && ::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

}  // namespace

RedisServer::RedisServer() {
  binary_ = FindRedisServer();
  if (binary_.empty()) {
    error_ =
        "redis-server is not installed (not on PATH, /usr/bin or /usr/sbin); the Redis "
        "tests need it: install the Debian package redis-server (tools/dev.sh deps)";
    return;
  }
  for (int attempt = 0; attempt < 5; ++attempt) {
    port_ = FreePort();
    if (port_ != 0 && Launch()) return;
    Kill();
  }
  error_ = "redis-server did not start on a free port after 5 attempts; see " + dir_.Sub("log");
}

RedisServer::~RedisServer() { Kill(); }

bool RedisServer::Launch() {
  error_.clear();
  const std::string port = std::to_string(port_);
  const std::string log = dir_.Sub("log");
  pid_ = ::fork();
  if (pid_ == 0) {
    const int null_fd = ::open("/dev/null", O_WRONLY);
    if (null_fd >= 0) ::dup2(null_fd, STDOUT_FILENO);
    ::execl(binary_.c_str(), binary_.c_str(), "--port", port.c_str(), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", dir_.path().c_str(), "--logfile",
            log.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid_ > 0 && WaitUntilAnswering();
}

bool RedisServer::WaitUntilAnswering() {
  for (int i = 0; i < 500; ++i) {
    auto r = Command({"PING"});
    if (r.ok() && r->str == "PONG") return true;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {  // exited (port taken?)
      pid_ = -1;
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

void RedisServer::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
  paused_ = false;
}

bool RedisServer::Restart() {
  Kill();
  if (Launch()) return true;
  error_ = "redis-server did not restart on port " + std::to_string(port_);
  return false;
}

void RedisServer::Pause() {
  if (pid_ > 0 && ::kill(pid_, SIGSTOP) == 0) paused_ = true;
}

void RedisServer::Resume() {
  if (pid_ > 0 && paused_ && ::kill(pid_, SIGCONT) == 0) paused_ = false;
}

Result<redis::Reply> RedisServer::Command(const std::vector<std::string>& argv) const {
  auto c = redis::Connection::Open(endpoint(), 1000, 1000);
  if (!c.ok()) return c.status();
  return (*c)->Command(argv);
}

}  // namespace loyalty::testing
