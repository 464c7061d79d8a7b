// Runs the real loyaltyd binary as a child process for end-to-end tests: on
// 127.0.0.1 port 0, reading the bound port from its first stdout line. The
// child's stderr goes to a file, printed when a test wants to explain itself.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace loyalty::testing {

class ServerProcess {
 public:
  // Starts `loyaltyd --listen LISTEN --data-dir DATA_DIR ARGS...` (with
  // --admin-listen 127.0.0.1:0 unless ARGS name one) and waits until it
  // listens (or exits). Check ok() after. With `until_admin`, returns as
  // soon as the admin listener is up (admin_port()); WaitListening then
  // waits for the register listener.
  ServerProcess(const std::string& data_dir, std::vector<std::string> args = {},
                const std::string& listen = "127.0.0.1:0", bool until_admin = false);
  // Runs any command that ends up exec'ing loyaltyd (tools/dev.sh run), with
  // extra environment "NAME=value" entries; stdout lines before the
  // "listening" line are kept in banner().
  ServerProcess(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                const std::string& stderr_path);
  ~ServerProcess();  // SIGKILLs the child if it still runs

  const std::string& banner() const { return banner_; }

  bool ok() const { return port_ != 0; }
  bool WaitListening();  // after until_admin: reads on to the "listening" line
  int admin_port() const { return admin_port_; }
  std::string admin_address() const { return "127.0.0.1:" + std::to_string(admin_port_); }
  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  pid_t pid() const { return pid_; }

  // Sends `signal` and waits for the exit; returns the exit code, or
  // 128 + signal number when the child died of a signal.
  int StopWith(int signal);
  std::string Stderr() const;

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  int admin_port_ = 0;
  int out_ = -1;  // the child's stdout, until the listening line
  void Start(const std::vector<std::string>& argv, const std::vector<std::string>& env,
             bool until_admin = false);
  std::string stderr_path_;
  std::string banner_;
  bool exited_ = false;
};

// Runs the `loyalty` CLI with `args`; returns its exit code and stdout.
struct CliResult {
  int exit_code = -1;
  std::string out;
};
CliResult RunCli(const std::vector<std::string>& args);

// Runs loyaltyd with `args` and extra environment entries to its end (for
// --check-config and startup failures); `err` is its stderr.
struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
// Runs the `loyalty` CLI with `args`, its stderr kept in `err_path` and `err`.
RunResult RunCliWithStderr(const std::vector<std::string>& args, const std::string& err_path);

RunResult RunLoyaltyd(const std::vector<std::string>& args, const std::vector<std::string>& env,
                      const std::string& err_path);

}  // namespace loyalty::testing
