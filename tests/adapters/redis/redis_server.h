// A real redis-server for tests: on a free 127.0.0.1 port, in a temp dir,
// with persistence off (--save '' --appendonly no). It can be killed
// (SIGKILL), restarted on the same port (empty), hung (SIGSTOP) and resumed
// (SIGCONT). The destructor kills it.
//
// A missing redis-server is a failure, never a skip: ok() is false and
// error() says to install the package (tools/dev.sh deps does).
#pragma once

#include <sys/types.h>

#include <string>

#include "adapters/redis/connection.h"
#include "tests/support/temp_dir.h"

namespace loyalty::testing {

class RedisServer {
 public:
  RedisServer();
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  redis::Endpoint endpoint() const { return {"127.0.0.1", port_}; }

  void Kill();     // SIGKILL and reap
  bool Restart();  // start again on the same port; true once it answers PING
  void Pause();    // SIGSTOP: connections open, nothing answered
  void Resume();   // SIGCONT

  // A command on a fresh connection (1 s timeouts); for test assertions.
  Result<redis::Reply> Command(const std::vector<std::string>& argv) const;

 private:
  bool Launch();
  bool WaitUntilAnswering();

  TempDir dir_;
  std::string binary_;
  std::string error_;
  int port_ = 0;
  pid_t pid_ = -1;
  bool paused_ = false;
};

}  // namespace loyalty::testing
