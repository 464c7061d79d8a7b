// What the admin API's end-to-end tests share: a real loyaltyd with one token
// per role (and two publishers, for four eyes), on 127.0.0.1 port 0, with
// its admin listener; purchases through the CLI; JSON answers; waiting on
// the server's own time with a deadline.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/http_client.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace loyalty::admin_testing {

using nlohmann::json;
using testing::Http;
using testing::HttpReply;
using testing::RunCli;
using testing::ServerProcess;
using testing::TempDir;

inline constexpr const char* kViewer = "viewer-secret-0123456789";
inline constexpr const char* kCashier = "cashier-secret-0123456789";
inline constexpr const char* kEditor = "editor-secret-0123456789";
inline constexpr const char* kPub1 = "publisher-one-0123456789";
inline constexpr const char* kPub2 = "publisher-two-0123456789";
inline constexpr const char* kAdmin = "admin-secret-0123456789";
inline constexpr const char* kCard = "4000123412341234";

inline std::string WriteConfig(const TempDir& dir, const std::string& extra = "") {
  const std::string path = dir.Sub("loyaltyd.yaml");
  std::ofstream(path) << "admin_tokens:\n"
                      << "  - { name: vera, role: viewer, token: " << kViewer << " }\n"
                      << "  - { name: carl, role: cashier, token: " << kCashier << " }\n"
                      << "  - { name: edna, role: editor, token: " << kEditor << " }\n"
                      << "  - { name: pia, role: publisher, token: " << kPub1 << " }\n"
                      << "  - { name: paul, role: publisher, token: " << kPub2 << " }\n"
                      << "  - { name: ada, role: admin, token: " << kAdmin << " }\n"
                      << extra;
  return path;
}

inline std::string Rules(const std::string& name, int points_per_unit,
                         const std::string& currency = "EUR") {
  return "name: " + name + "\nprogram:\n  currency: " + currency +
         "\n  points_per_unit: " + std::to_string(points_per_unit) + "\n";
}

inline json Json(const HttpReply& r) { return json::parse(r.body, nullptr, false); }

inline int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Polls `get` until `done` holds, at most ~20 s: a state change that happens
// on the server's own time (a schedule, a signal), not a timed measurement.
template <typename Get, typename Done>
bool Eventually(Get get, Done done) {
  for (int i = 0; i < 400; ++i) {
    if (done(get())) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

inline int ActiveVersion(int admin_port) {
  auto r = Http(admin_port, "GET", "/v1/rulesets", kViewer);
  return r.status == 200 ? Json(r)["active"].get<int>() : -1;
}

class AdminTest : public ::testing::Test {
 protected:
  void Start(std::vector<std::string> args = {}, const std::string& extra_config = "") {
    args.insert(args.end(), {"--config", WriteConfig(dir_, extra_config)});
    server_ = std::make_unique<ServerProcess>(dir_.Sub("db"), args);
    ASSERT_TRUE(server_->ok()) << server_->Stderr();
    port_ = server_->admin_port();
    ASSERT_NE(port_, 0) << server_->banner();
  }
  int Purchase(const std::string& txn, const std::string& amount, const std::string& card = kCard,
               const std::string& store = "S1") {
    return RunCli({"--server", server_->address(), "purchase", "--txn", txn, "--store", store,
                   "--card", card, "--amount", amount})
        .exit_code;
  }
  // Uploads `yaml` as `token`; the new version's number (0: refused).
  int Upload(const std::string& yaml, const char* token = kEditor) {
    auto r = Http(port_, "POST", "/v1/rulesets", token, yaml);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? Json(r)["version"].get<int>() : 0;
  }
  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  int port_ = 0;
};

}  // namespace loyalty::admin_testing
