#include "tests/support/server_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>

#include "tests/support/pki.h"

namespace loyalty::testing {
namespace {

// Forks and execs `argv` with `env` added, stdout to a pipe (returned),
// stderr to `err_path`.
pid_t Spawn(const std::vector<std::string>& argv, int* out_fd, const std::string& err_path,
            const std::vector<std::string>& env = {}) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return -1;
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    if (!err_path.empty()) {
      const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (err >= 0) ::dup2(err, STDERR_FILENO);
    }
    for (const std::string& e : env) ::putenv(const_cast<char*>(e.c_str()));
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  *out_fd = fds[0];
  return pid;
}

// Every loyaltyd of a test serves TLS with the test PKI (through LOYALTY_*
// variables, so a test's config file still applies), unless the test says
// how its register channel is set.
std::vector<std::string> WithTestTls(const std::vector<std::string>& argv,
                                     std::vector<std::string> env) {
  if (argv.empty() || argv[0] != LOYALTYD_PATH) return env;
  for (const std::string& a : argv) {
    if (a == "--register-tls" || a == "--registers" || a == "--tls-cert") return env;
  }
  for (const std::string& e : env) {
    if (e.rfind("LOYALTY_REGISTERS=", 0) == 0 || e.rfind("LOYALTY_REGISTER_TLS=", 0) == 0) {
      return env;
    }
  }
  const TestPki& p = Pki();
  env.push_back("LOYALTY_TLS_CERT=" + p.cert);
  env.push_back("LOYALTY_TLS_KEY=" + p.key);
  env.push_back("LOYALTY_REGISTERS=" + p.registers);
  return env;
}

}  // namespace

ServerProcess::ServerProcess(const std::string& data_dir, std::vector<std::string> args,
                             const std::string& listen, bool until_admin) {
  stderr_path_ = data_dir + ".stderr";
  std::vector<std::string> argv = {LOYALTYD_PATH, "--listen", listen, "--data-dir", data_dir};
  if (std::find(args.begin(), args.end(), "--admin-listen") == args.end()) {
    argv.insert(argv.end(), {"--admin-listen", "127.0.0.1:0"});  // tests run side by side
  }
  argv.insert(argv.end(), args.begin(), args.end());
  Start(argv, WithTestTls(argv, {}), until_admin);
}

ServerProcess::ServerProcess(const std::vector<std::string>& argv,
                             const std::vector<std::string>& env, const std::string& stderr_path) {
  stderr_path_ = stderr_path;
  Start(argv, WithTestTls(argv, env));
}

// Reads `fd` line by line into `banner` until a line matches `want` (its
// port into *port, true) or EOF (false). Admin lines on the way set *admin.
static bool ReadUntil(int fd, const std::regex& want, std::string& banner, int* port, int* admin) {
  static const std::regex kAdmin(R"(admin on (?:127\.0\.0\.1|\[::1\]):(\d+))");
  std::string line;
  char c;
  while (::read(fd, &c, 1) == 1) {
    if (c != '\n') {
      line.push_back(c);
      continue;
    }
    std::smatch m;
    if (std::regex_search(line, m, kAdmin)) *admin = std::stoi(m[1]);
    if (std::regex_search(line, m, want)) {
      *port = std::stoi(m[1]);
      if (port == admin) banner += line + "\n";
      return true;
    }
    banner += line + "\n";
    line.clear();
  }
  return false;
}

void ServerProcess::Start(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                          bool until_admin) {
  pid_ = Spawn(argv, &out_, stderr_path_, env);
  if (pid_ < 0) return;
  if (until_admin) {
    // Up to the admin line only; the rest is read by WaitListening.
    ReadUntil(out_, std::regex(R"(admin on (?:127\.0\.0\.1|\[::1\]):(\d+))"), banner_, &admin_port_,
              &admin_port_);
    return;
  }
  WaitListening();
}

bool ServerProcess::WaitListening() {
  if (out_ < 0) return ok();
  // Lines until the one that says where it listens; EOF means it exited.
  ReadUntil(out_, std::regex(R"(listening on (?:127\.0\.0\.1|\[::1\]):(\d+))"), banner_, &port_,
            &admin_port_);
  ::close(out_);
  out_ = -1;
  return ok();
}

ServerProcess::~ServerProcess() {
  if (out_ >= 0) ::close(out_);
  if (pid_ > 0 && !exited_) StopWith(SIGKILL);
}

int ServerProcess::StopWith(int signal) {
  if (pid_ <= 0 || exited_) return -1;
  ::kill(pid_, signal);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  exited_ = true;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

std::string ServerProcess::Stderr() const {
  std::ifstream in(stderr_path_);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

namespace {

RunResult RunToEnd(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                   const std::string& err_path) {
  int out = -1;
  RunResult r;
  const pid_t pid = Spawn(argv, &out, err_path, env);
  if (pid < 0) return r;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(out, buf, sizeof buf)) > 0) r.out.append(buf, static_cast<std::size_t>(n));
  ::close(out);
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (!err_path.empty()) {
    std::ifstream in(err_path);
    std::stringstream s;
    s << in.rdbuf();
    r.err = s.str();
  }
  return r;
}

}  // namespace

RunResult RunCliWithStderr(const std::vector<std::string>& args, const std::string& err_path) {
  Pki();
  std::vector<std::string> argv = {LOYALTY_CLI_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunToEnd(argv, {}, err_path);
}

CliResult RunCli(const std::vector<std::string>& args) {
  Pki();  // LOYALTY_CA and LOYALTY_CREDENTIAL for the child
  RunResult r = RunCliWithStderr(args, "");
  return {r.exit_code, r.out};
}

RunResult RunLoyaltyd(const std::vector<std::string>& args, const std::vector<std::string>& env,
                      const std::string& err_path) {
  std::vector<std::string> argv = {LOYALTYD_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunToEnd(argv, WithTestTls(argv, env), err_path);
}

}  // namespace loyalty::testing
