// A real ZooKeeper server for tests: standalone, started with java from the
// Debian package's jars (not the zookeeperd service), in a temp dir with its
// own zoo.cfg, on a free 127.0.0.1 port (clientPortAddress; the admin server
// off), tickTime 200 ms so sessions of 1..60 s are allowed and expire on
// time. It can be paused (SIGSTOP: connections stay open, nothing is
// answered), resumed (SIGCONT), killed (SIGKILL) and restarted on the same
// port with its data. The destructor kills it and removes the dir.
//
// A missing java or jar is a failure, never a skip: ok() is false and
// error() says to install the package (tools/dev.sh deps does).
// Thread safety: none; drive it from the test's thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>

#include "tests/support/temp_dir.h"

namespace loyalty::testing {

class ZooKeeperProcess {
 public:
  ZooKeeperProcess();
  ~ZooKeeperProcess();
  ZooKeeperProcess(const ZooKeeperProcess&) = delete;
  ZooKeeperProcess& operator=(const ZooKeeperProcess&) = delete;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  pid_t pid() const { return pid_; }
  // How long the last start took until the server answered `srvr`.
  std::chrono::milliseconds startup() const { return startup_; }

  void Kill();     // SIGKILL and reap
  bool Restart();  // again on the same port and data; true once serving
  void Pause();    // SIGSTOP
  void Resume();   // SIGCONT

  // A four-letter command ("srvr", "ruok", "mntr", "wchp") on a fresh
  // connection with a 5 s timeout; empty when nothing answered.
  std::string Command(const std::string& word) const;
  // The server's own log (slf4j-simple on its stderr), for failure messages.
  std::string Log() const;

 private:
  bool Launch();
  bool WaitUntilServing();
  void WriteConfig() const;

  TempDir dir_;
  std::string error_;
  int port_ = 0;
  pid_t pid_ = -1;
  bool paused_ = false;
  std::chrono::milliseconds startup_{0};
};

}  // namespace loyalty::testing
