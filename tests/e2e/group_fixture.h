// A replicated group for the e2e tests (tests/e2e/group_test.cc,
// group_standby_test.cc): a real ZooKeeper and nodes of real loyaltyd on
// loopback, each started and restarted with the same addresses and data
// directory, and what their admin API says of the group.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/free_port.h"
#include "tests/support/http_client.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/zookeeper_process.h"

namespace loyalty::testing {

inline constexpr const char* kAdminToken = "test-only-admin-token-7f3a9c2e";

struct Node {
  std::string id;
  std::string data;
  std::string listen;
  std::string replication;
  std::string admin;  // fixed: a deposed primary starts again on the same ports
  bool paused = false;
  std::unique_ptr<ServerProcess> process;
};

// Three nodes of one group, each started and restarted with the same
// addresses and data directory.
class GroupFixture {
 public:
  explicit GroupFixture(const std::string& mode = "sync", int nodes = 3) {
    const std::string secret = dir_.Sub("group.secret");
    std::ofstream(secret) << "a-test-only-group-secret-of-enough-length-0123456789\n";
    config_ = dir_.Sub("group.yaml");
    std::ofstream(config_) << "replication_tls: \"off\"\n"
                           << "replication_secret_file: \"" << secret << "\"\n"
                           << "zookeeper_session_ms: 2000\n"
                           << "replication: " << mode << "\n"
                           << "shards: 2\n"
                           << "admin_tokens: [{name: ops, role: admin, token: \"" << kAdminToken
                           << "\"}]\n";
    for (int i = 0; i < nodes; ++i) {
      Node n;
      n.id = "n" + std::to_string(i + 1);
      n.data = dir_.Sub(n.id);
      n.listen = "127.0.0.1:" + std::to_string(FreePort());
      n.replication = "127.0.0.1:" + std::to_string(FreePort());
      n.admin = "127.0.0.1:" + std::to_string(FreePort());
      nodes_.push_back(std::move(n));
    }
  }

  bool zk_ok() const { return zk_.ok(); }
  std::string zk_error() const { return zk_.error(); }
  std::vector<Node>& nodes() { return nodes_; }
  std::vector<std::string> Addresses() const {
    std::vector<std::string> out;
    for (const Node& n : nodes_) out.push_back(n.listen);
    return out;
  }

  // Starts node i; true once it listens (as a standby or the primary).
  bool Start(size_t i, const std::vector<std::string>& more_flags = {}) {
    Node& n = nodes_[i];
    std::vector<std::string> flags{"--config",       config_, "--zookeeper",          zk_.address(),
                                   "--node-id",      n.id,    "--replication-listen", n.replication,
                                   "--admin-listen", n.admin};
    flags.insert(flags.end(), more_flags.begin(), more_flags.end());
    n.process = std::make_unique<ServerProcess>(n.data, flags, n.listen);
    return n.process->ok();
  }

  // SIGTERM to the standbys, then to `primary` (nothing is written after
  // it stops); each exits 0.
  void StopAll(int primary) {
    for (size_t i = 0; i < nodes_.size(); ++i) {
      if (static_cast<int>(i) != primary) {
        EXPECT_EQ(nodes_[i].process->StopWith(SIGTERM), 0) << nodes_[i].id;
      }
    }
    EXPECT_EQ(nodes_[static_cast<size_t>(primary)].process->StopWith(SIGTERM), 0);
  }

  // The end of every node's log, for a failure's message.
  std::string Explain() const {
    std::string out;
    for (const Node& n : nodes_) {
      const std::string err = n.process ? n.process->Stderr() : "";
      out += "\n--- " + n.id + " ---\n" + err.substr(err.size() > 4000 ? err.size() - 4000 : 0);
    }
    return out;
  }

  nlohmann::json Cluster(size_t i) const {
    const Node& n = nodes_[i];
    if (!n.process || n.paused) return nlohmann::json();
    const auto reply =
        Http(std::stoi(n.admin.substr(n.admin.rfind(':') + 1)), "GET", "/v1/cluster");
    if (reply.status != 200) return nlohmann::json();
    return nlohmann::json::parse(reply.body, nullptr, false);
  }

  // The node serving as primary, -1 when none does.
  int Primary() const {
    for (size_t i = 0; i < nodes_.size(); ++i) {
      const nlohmann::json c = Cluster(i);
      if (c.is_object() && c.value("serving", false)) return static_cast<int>(i);
    }
    return -1;
  }

  // True once the primary has `standbys` followers that acknowledged
  // everything it has.
  bool CaughtUp(size_t standbys) const {
    const int p = Primary();
    if (p < 0) return false;
    const nlohmann::json c = Cluster(static_cast<size_t>(p));
    if (!c.is_object() || !c.contains("replication")) return false;
    const nlohmann::json& list = c["replication"]["standbys"];
    if (!list.is_array() || list.size() < standbys) return false;
    for (const nlohmann::json& s : list)
      if (s["lag_batches"].get<uint64_t>() != 0) return false;
    return true;
  }

 private:
  ZooKeeperProcess zk_;
  TempDir dir_;
  std::string config_;
  std::vector<Node> nodes_;
};

}  // namespace loyalty::testing
