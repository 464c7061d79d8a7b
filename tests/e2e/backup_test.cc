// Backup and restore end to end (docs/OPERATIONS.md): `loyalty backup`
// against a running loyaltyd under load (through its admin API), `loyalty
// restore` into a fresh directory with its check, and every purchase
// acknowledged before the backup began present exactly once in the result;
// then an incremental backup of the stopped store restores to the very same
// balances and ledgers.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "adapters/rocksdb/store.h"
#include "tests/support/http_client.h"
#include "tests/support/pki.h"
#include "tests/support/requests.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait_for.h"

namespace loyalty {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::Http;
using testing::RunCli;
using testing::ServerProcess;
using testing::TempDir;
using testing::WaitFor;

constexpr const char* kAdmin = "backup-admin-0123456789";

struct Acked {
  std::string card;
  int64_t points = 0;
};

// Clients selling until told to stop; every acknowledged purchase is kept.
class Load {
 public:
  explicit Load(const std::string& address) {
    for (int id = 0; id < 3; ++id)
      threads_.emplace_back([this, address, id] { Sell(address, id); });
  }
  ~Load() { Stop(); }
  void Stop() {
    stop_ = true;
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  std::map<std::string, Acked> acked() {
    std::lock_guard lock(mu_);
    return acked_;
  }
  std::size_t count() {
    std::lock_guard lock(mu_);
    return acked_.size();
  }

 private:
  void Sell(const std::string& address, int id) {
    auto client = testing::ConnectAs(address);
    if (!client.ok()) return;
    for (int i = 0; !stop_; ++i) {
      const std::string txn = "b" + std::to_string(id) + "-" + std::to_string(i);
      const std::string card = "card-" + std::to_string((id * 7 + i) % 40);
      auto reply = (*client)->Call(
          testing::WirePurchase(txn, card, 500 + (i % 50) * 100, testing::WallClockMs()));
      if (!reply.ok()) return;
      if (!reply->has_decision()) continue;
      std::lock_guard lock(mu_);
      acked_[txn] = {card, reply->decision().points_earned()};
    }
  }
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::map<std::string, Acked> acked_;
  std::vector<std::thread> threads_;
};

// Per transaction id, the points its ledger entries add up to.
std::map<std::string, int64_t> LedgerByTxn(const Store& store) {
  std::map<std::string, int64_t> out;
  EXPECT_TRUE(store
                  .ForEachCustomer([&](const CustomerState& c) {
                    return store.ForEachLedgerEntry(c.customer_id, [&](const LedgerEntry& e) {
                      out[e.transaction_id] += e.points;
                      return Status::Ok();
                    });
                  })
                  .ok());
  return out;
}

std::string Contents(const Store& store) {
  std::string out;
  EXPECT_TRUE(store
                  .ForEachCustomer([&](const CustomerState& c) {
                    out += c.customer_id + "=" + std::to_string(c.balance()) + ":";
                    return store.ForEachLedgerEntry(c.customer_id, [&](const LedgerEntry& e) {
                      out += std::to_string(e.seq) + "/" + std::to_string(e.points) + "/" +
                             e.transaction_id + " ";
                      return Status::Ok();
                    });
                  })
                  .ok());
  return out;
}

TEST(BackupE2eTest, ABackupTakenUnderLoadRestoresEveryAcknowledgedPurchaseOnce) {
  TempDir dir;
  const std::string db = dir.Sub("db");
  ServerProcess server({LOYALTYD_PATH, "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0",
                        "--data-dir", db, "--rules", EXAMPLE_RULES_PATH},
                       {std::string("LOYALTY_ADMIN_TOKENS=ops:admin:") + kAdmin},
                       dir.Sub("server.stderr"));
  ASSERT_TRUE(server.ok()) << server.Stderr();
  const std::string admin = server.admin_address();

  Load load(server.address());
  ASSERT_TRUE(WaitFor([&] { return load.count() >= 200; }, 60s)) << server.Stderr();
  const auto before = load.acked();  // acknowledged before the backup began
  auto backup = RunCli({"backup", "--data-dir", db, "--to", dir.Sub("backups"), "--admin", admin,
                        "--token", kAdmin});
  ASSERT_EQ(backup.exit_code, 0) << backup.out << server.Stderr();
  EXPECT_NE(backup.out.find("backup 1 of store "), std::string::npos) << backup.out;
  EXPECT_NE(backup.out.find("from the running server"), std::string::npos) << backup.out;
  EXPECT_NE(backup.out.find(", verified"), std::string::npos) << backup.out;
  const std::size_t during = load.count();
  ASSERT_TRUE(WaitFor([&] { return load.count() >= during + 50; }, 60s));  // it served meanwhile

  // The server reports it, and its age.
  auto state = json::parse(Http(server.admin_port(), "GET", "/v1/backups", kAdmin).body);
  ASSERT_TRUE(state["last"].is_object()) << state.dump();
  EXPECT_EQ(state["last"]["id"], 1);
  EXPECT_EQ(state["last"]["verified"], true);
  EXPECT_EQ(state["running"], false);
  const std::string metrics = Http(server.admin_port(), "GET", "/metrics").body;
  EXPECT_NE(metrics.find("loyalty_backups_total{result=\"ok\"} 1"), std::string::npos);
  EXPECT_EQ(metrics.find("loyalty_backup_age_seconds +Inf"), std::string::npos);
  // A second one at once is fine; another store's directory is refused.
  auto wrong = RunCli({"backup", "--data-dir", dir.Sub("db-elsewhere"), "--to", dir.Sub("x"),
                       "--admin", admin, "--token", kAdmin});
  EXPECT_EQ(wrong.exit_code, 2);  // no database there at all

  auto restore =
      RunCli({"restore", "--from", dir.Sub("backups"), "--data-dir", dir.Sub("restored")});
  ASSERT_EQ(restore.exit_code, 0) << restore.out;
  EXPECT_NE(restore.out.find("restored backup 1 (taken "), std::string::npos) << restore.out;
  EXPECT_NE(restore.out.find("consistent"), std::string::npos) << restore.out;
  auto check = RunCli({"check", "--data-dir", dir.Sub("restored")});
  EXPECT_EQ(check.exit_code, 0) << check.out;
  EXPECT_NE(check.out.find("consistent"), std::string::npos) << check.out;
  {
    auto restored = Store::Open({dir.Sub("restored")});
    ASSERT_TRUE(restored.ok()) << restored.status().ToString();
    const auto ledger = LedgerByTxn(**restored);
    for (const auto& [txn, a] : before) {
      auto rec = (*restored)->GetTxn(txn);
      ASSERT_TRUE(rec.ok());
      EXPECT_TRUE(rec->has_value()) << txn << " was acknowledged before the backup";
      const auto it = ledger.find(txn);
      EXPECT_EQ(it == ledger.end() ? 0 : it->second, a.points) << txn << ": applied once";
    }
  }

  load.Stop();
  ASSERT_EQ(server.StopWith(SIGTERM), 0);
  // The stopped store, backed up again into the same directory: only what
  // is new is copied, and the restore is the store exactly.
  auto again = RunCli({"--json", "backup", "--data-dir", db, "--to", dir.Sub("backups")});
  ASSERT_EQ(again.exit_code, 0) << again.out;
  const json second = json::parse(again.out);
  EXPECT_EQ(second["id"], 2);
  EXPECT_EQ(second["online"], false);
  EXPECT_LT(second["copied_bytes"].get<uint64_t>(), second["size_bytes"].get<uint64_t>());
  ASSERT_EQ(RunCli({"restore", "--from", dir.Sub("backups"), "--data-dir", dir.Sub("restored-2")})
                .exit_code,
            0);
  auto original = Store::Open({db});
  auto copy = Store::Open({dir.Sub("restored-2")});
  ASSERT_TRUE(original.ok() && copy.ok());
  EXPECT_EQ(Contents(**copy), Contents(**original));
  EXPECT_EQ((*copy)->store_id(), (*original)->store_id());
  const auto all = load.acked();
  const auto ledger = LedgerByTxn(**copy);
  for (const auto& [txn, a] : all) {
    const auto it = ledger.find(txn);
    EXPECT_EQ(it == ledger.end() ? 0 : it->second, a.points) << txn;
  }

  auto list = RunCli({"restore", "--from", dir.Sub("backups"), "--list"});
  EXPECT_EQ(list.exit_code, 0);
  EXPECT_NE(list.out.find("backup 2 "), std::string::npos) << list.out;
  auto over = RunCli({"restore", "--from", dir.Sub("backups"), "--data-dir", db});
  EXPECT_EQ(over.exit_code, 1);  // never over a store
}

TEST(BackupE2eTest, StartingABackupNeedsAnAdminAndADirectory) {
  TempDir dir;
  ServerProcess server({LOYALTYD_PATH, "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0",
                        "--data-dir", dir.Sub("db")},
                       {std::string("LOYALTY_ADMIN_TOKENS=ops:admin:") + kAdmin +
                        ",vera:viewer:viewer-secret-0123456789"},
                       dir.Sub("server.stderr"));
  ASSERT_TRUE(server.ok()) << server.Stderr();
  const int port = server.admin_port();
  EXPECT_EQ(Http(port, "POST", "/v1/backups", "viewer-secret-0123456789", "{}").status, 403);
  auto none = Http(port, "POST", "/v1/backups", kAdmin, "{}");
  EXPECT_EQ(none.status, 422);
  EXPECT_NE(none.body.find("no backup directory: give \\\"to\\\" or configure backup_dir"),
            std::string::npos)
      << none.body;
  EXPECT_EQ(Http(port, "POST", "/v1/backups", kAdmin, R"({"to": "relative/dir"})").status, 422);
  auto wrong = Http(port, "POST", "/v1/backups", kAdmin,
                    R"({"to": ")" + dir.Sub("b") + R"(", "data_dir": "/elsewhere"})");
  EXPECT_EQ(wrong.status, 409);
  EXPECT_NE(wrong.body.find("WRONG_STORE"), std::string::npos);
  auto viewer = json::parse(Http(port, "GET", "/v1/backups", "viewer-secret-0123456789").body);
  EXPECT_TRUE(viewer["last"].is_null());
  const std::string metrics = Http(port, "GET", "/metrics").body;
  EXPECT_NE(metrics.find("loyalty_backup_age_seconds +Inf"), std::string::npos);
  EXPECT_NE(metrics.find("loyalty_backup_last_success_timestamp_seconds 0"), std::string::npos);
}

}  // namespace
}  // namespace loyalty
