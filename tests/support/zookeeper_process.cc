#include "tests/support/zookeeper_process.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "tests/support/free_port.h"

namespace loyalty::testing {
namespace {

using std::chrono::milliseconds;

// Debian 12's zookeeper package: the server jar names its dependencies in
// its manifest; slf4j-simple (libslf4j-java, a dependency) makes it log.
constexpr const char* kJava = "/usr/bin/java";
constexpr const char* kServerJar = "/usr/share/java/zookeeper.jar";
constexpr const char* kLogJar = "/usr/share/java/slf4j-simple.jar";
constexpr milliseconds kStartTimeout{30000};  // a cold JVM on a busy 2-core box
constexpr int kAttemptsMax = 5;

bool Readable(const char* path) { return ::access(path, R_OK) == 0; }

// Connects to 127.0.0.1:port, sends `word`, reads until the server closes.
std::string Ask(int port, const std::string& word, milliseconds timeout) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "";
  timeval tv{timeout.count() / 1000, static_cast<long>(timeout.count() % 1000) * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  std::string reply;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::send(fd, word.data(), word.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(word.size())) {
    char buffer[4096];
    for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;) reply.append(buffer, n);
  }
  ::close(fd);
  return reply;
}

}  // namespace

ZooKeeperProcess::ZooKeeperProcess() {
  if (!Readable(kJava) || !Readable(kServerJar)) {
    error_ = std::string("ZooKeeper is not installed (") + kJava + " and " + kServerJar +
             " are needed); install the Debian package zookeeper (tools/dev.sh deps)";
    return;
  }
  for (int attempt = 0; attempt < kAttemptsMax; ++attempt) {
    port_ = FreePort();
    if (port_ != 0 && Launch()) return;
    Kill();
  }
  error_ = "ZooKeeper did not start on a free port after " + std::to_string(kAttemptsMax) +
           " attempts; its log:\n" + Log();
}

ZooKeeperProcess::~ZooKeeperProcess() { Kill(); }

void ZooKeeperProcess::WriteConfig() const {
  std::ofstream cfg(dir_.Sub("zoo.cfg"), std::ios::trunc);
  cfg << "tickTime=200\n"
      << "minSessionTimeout=1000\n"
      << "maxSessionTimeout=60000\n"
      << "dataDir=" << dir_.Sub("data") << "\n"
      << "clientPort=" << port_ << "\n"
      << "clientPortAddress=127.0.0.1\n"
      << "admin.enableServer=false\n"
      << "4lw.commands.whitelist=srvr,ruok,mntr,cons,wchp\n"
      << "maxClientCnxns=0\n"
      // No fsync of the transaction log: the primary's heartbeats are
      // writes, and a loaded test machine's fsync must not stall them past
      // the lease. Written data still survives a kill -9 (Restart).
      << "forceSync=no\n";
}

bool ZooKeeperProcess::Launch() {
  error_.clear();
  WriteConfig();
  const std::string log = dir_.Sub("log");
  std::string classpath = kServerJar;
  if (Readable(kLogJar)) classpath += std::string(":") + kLogJar;
  const std::string cfg = dir_.Sub("zoo.cfg");
  std::vector<std::string> argv = {kJava,
                                   "-Xmx128m",
                                   "-XX:+UseSerialGC",
                                   "-XX:TieredStopAtLevel=1",  // starts in about half the time
                                   "-Djava.net.preferIPv4Stack=true",
                                   "-Dorg.slf4j.simpleLogger.showDateTime=true",
                                   "-cp",
                                   classpath,
                                   "org.apache.zookeeper.server.ZooKeeperServerMain",
                                   cfg};
  const auto started = std::chrono::steady_clock::now();
  pid_ = ::fork();
  if (pid_ == 0) {
    const int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (log_fd >= 0) {
      ::dup2(log_fd, STDOUT_FILENO);
      ::dup2(log_fd, STDERR_FILENO);
    }
    std::vector<char*> args;
    for (std::string& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    ::execv(kJava, args.data());
    ::_exit(127);
  }
  if (pid_ <= 0 || !WaitUntilServing()) return false;
  startup_ = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - started);
  return true;
}

bool ZooKeeperProcess::WaitUntilServing() {
  const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (Command("srvr").find("Mode: standalone") != std::string::npos) return true;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {  // exited (port taken?)
      pid_ = -1;
      return false;
    }
    std::this_thread::sleep_for(milliseconds(50));
  }
  return false;
}

void ZooKeeperProcess::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
  paused_ = false;
}

bool ZooKeeperProcess::Restart() {
  Kill();
  if (Launch()) return true;
  error_ = "ZooKeeper did not restart on port " + std::to_string(port_) + "; its log:\n" + Log();
  return false;
}

void ZooKeeperProcess::Pause() {
  if (pid_ > 0 && ::kill(pid_, SIGSTOP) == 0) paused_ = true;
}

void ZooKeeperProcess::Resume() {
  if (pid_ > 0 && paused_ && ::kill(pid_, SIGCONT) == 0) paused_ = false;
}

std::string ZooKeeperProcess::Command(const std::string& word) const {
  return Ask(port_, word, milliseconds(5000));
}

std::string ZooKeeperProcess::Log() const {
  std::ifstream in(dir_.Sub("log"));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace loyalty::testing
