#include "tools/loyaltyd/check_config.h"

#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <utility>  // before Asio (Boost 1.74)

#include "adapters/yaml/rules_file.h"

namespace loyalty {
namespace {

namespace asio = boost::asio;

void CheckRules(const std::string& path, StartupCheck& out) {
  if (path.empty()) return;  // the built-in defaults
  if (!std::ifstream(path)) {
    out.problems.push_back("rules '" + path + "' cannot be read (" +
                           (std::filesystem::exists(path) ? "permission denied" : "no such file") +
                           ")");
    return;
  }
  const rules_file::Loaded loaded = rules_file::LoadFile(path);
  for (const auto& p : loaded.problems) out.problems.push_back("rules: " + p.ToString());
}

void CheckListen(const std::string& key, const std::string& value, StartupCheck& out) {
  std::string host;
  uint16_t port = 0;
  if (!config_file::SplitListenAddress(value, &host, &port)) return;  // named by Validate
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (ec) return;
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io);
  const asio::ip::tcp::endpoint endpoint(address, port);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (ec == asio::error::address_in_use) {
    out.notes.push_back(key + " " + value +
                        " is in use now (by another loyaltyd?); it must be free when this one "
                        "starts");
  } else if (ec) {
    out.problems.push_back(key + " " + value + " cannot be bound: " + ec.message());
  }
}

void CheckReadable(const std::string& key, const std::string& path, bool secret,
                   StartupCheck& out) {
  if (path.empty()) return;  // required ones are named by Validate
  if (!std::ifstream(path)) {
    out.problems.push_back(key + " '" + path + "' cannot be read (" +
                           (std::filesystem::exists(path) ? "permission denied" : "no such file") +
                           ")");
    return;
  }
  struct stat st {};
  // Its owner's, and at most readable by its group (Kubernetes' fsGroup
  // makes a 0400 secret 0440): nobody else may read or change it.
  if (secret && ::stat(path.c_str(), &st) == 0 && (st.st_mode & 0027) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    out.notes.push_back("warning: " + key + " '" + path + "' is a secret open to others (mode " +
                        mode + "): chmod 600 it");
  }
}

// A directory loyaltyd writes: there and writable, or makeable.
void CheckWritableDir(const std::string& key, const std::string& dir, StartupCheck& out) {
  if (dir.empty()) return;
  std::filesystem::path p(dir);
  while (!p.empty() && !std::filesystem::exists(p)) p = p.parent_path();
  if (p.empty()) p = ".";
  if (!std::filesystem::is_directory(p)) {
    out.problems.push_back(key + " '" + dir + "': " + p.string() + " is not a directory");
  } else if (::access(p.c_str(), W_OK | X_OK) != 0) {
    out.problems.push_back(key + " '" + dir + "': " + p.string() + " is not writable");
  }
}

}  // namespace

StartupCheck CheckStartup(const config_file::Config& c) {
  StartupCheck out;
  CheckRules(c.rules, out);
  CheckListen("listen", c.listen, out);
  if (c.admin_listen != "off") CheckListen("admin_listen", c.admin_listen, out);
  if (c.register_tls == "on") {
    CheckReadable("tls_cert", c.tls_cert, false, out);
    CheckReadable("tls_key", c.tls_key, true, out);
  }
  CheckReadable("registers", c.registers, true, out);
  CheckWritableDir("data_dir", c.data_dir, out);
  CheckWritableDir("backup_dir", c.backup_dir, out);
  return out;
}

int CheckConfig(const config_file::Config& config, const Flags& flags,
                config_file::Problems problems) {
  const StartupCheck startup = CheckStartup(config);
  problems.insert(problems.end(), startup.problems.begin(), startup.problems.end());
  for (const auto& w : flags.warnings) std::cout << "loyaltyd: warning: " << w << "\n";
  for (const auto& n : startup.notes) std::cout << "loyaltyd: " << n << "\n";
  if (flags.print_config && problems.empty()) std::cout << config_file::Print(config);
  for (const auto& p : problems) std::cerr << "loyaltyd: " << p << "\n";
  if (problems.size() > 1) {
    std::cerr << "loyaltyd: " << problems.size() << " problems in the configuration\n";
  }
  if (!problems.empty()) return 1;
  std::cout << "loyaltyd: the configuration is valid" << std::endl;
  return 0;
}

}  // namespace loyalty
