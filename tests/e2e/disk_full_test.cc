// A disk that fills (adapters/rocksdb/disk_guard.h), end to end on a small
// filesystem this test makes: a 24 MiB tmpfs in a mount namespace of its
// own (so nothing outlives the test). Where mounting is not allowed (no
// CAP_SYS_ADMIN), the test is skipped and says why.
//
// The sequence: sales go through; the disk fills; sales are refused with
// "store unavailable" and no file path, /readyz says 503 and why, the log
// says so once; kill -9; the restart comes up (it never aborts in RocksDB)
// still refusing; space is freed; writes resume by themselves; every
// acknowledged purchase is in the store exactly once.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "adapters/rocksdb/audit.h"
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
using testing::Http;
using testing::ServerProcess;
using testing::TempDir;
using testing::WaitFor;

constexpr const char* kReserve = "2097152";  // 2 MiB

int Count(const std::string& text, const std::string& what) {
  int n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
    n += 1;
  }
  return n;
}

class DiskFullTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A private mount namespace: the tmpfs is seen by this process and the
    // servers it starts, and goes away with them.
    if (::unshare(CLONE_NEWNS) != 0) {
      GTEST_SKIP() << "cannot make a mount namespace (" << std::strerror(errno)
                   << "): the disk-full test needs root or CAP_SYS_ADMIN to mount a small tmpfs";
    }
    if (::mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
        ::mount("tmpfs", mnt_.path().c_str(), "tmpfs", 0, "size=24m") != 0) {
      GTEST_SKIP() << "cannot mount a 24 MiB tmpfs (" << std::strerror(errno)
                   << "): the disk-full test needs root or CAP_SYS_ADMIN";
    }
    mounted_ = true;
  }
  void TearDown() override {
    server_.reset();
    if (mounted_) ::umount2(mnt_.path().c_str(), MNT_DETACH);
  }

  void Start(const std::string& reserve = kReserve) {
    server_ = std::make_unique<ServerProcess>(
        std::vector<std::string>{LOYALTYD_PATH, "--listen", "127.0.0.1:0", "--admin-listen",
                                 "127.0.0.1:0", "--data-dir", db(), "--rules", EXAMPLE_RULES_PATH},
        std::vector<std::string>{"LOYALTY_DISK_RESERVE_BYTES=" + reserve},
        logs_.Sub("server-" + std::to_string(starts_++) + ".stderr"));
  }
  std::string db() const { return mnt_.path() + "/db"; }
  std::string filler() const { return mnt_.path() + "/filler"; }

  uint64_t FreeBytes() const {
    struct statvfs st {};
    ::statvfs(mnt_.path().c_str(), &st);
    return uint64_t(st.f_bavail) * st.f_frsize;
  }

  // Another program takes the free space of the tmpfs but `leave` bytes.
  void Fill(uint64_t leave = 0) {
    const int fd = ::open(filler().c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    ASSERT_GE(fd, 0);
    std::string block(64 << 10, 'x');
    while (FreeBytes() > leave) {
      const uint64_t want = std::min<uint64_t>(block.size(), FreeBytes() - leave);
      if (::write(fd, block.data(), want) <= 0) break;
    }
    ::close(fd);
  }

  // A purchase; its decision's points when applied, else the error message.
  struct Sale {
    bool applied = false;
    int64_t points = 0;
    std::string error;
  };
  Sale Sell(const std::string& txn, const std::string& card) {
    auto client = testing::ConnectAs(server_->address());
    if (!client.ok()) return {false, 0, client.status().message()};
    auto reply = (*client)->Call(testing::WirePurchase(txn, card, 1234, testing::WallClockMs()));
    if (!reply.ok()) return {false, 0, reply.status().message()};
    if (reply->has_decision()) return {true, reply->decision().points_earned(), ""};
    return {false, 0, reply->error().message()};
  }

  // Sells `txn` until it is acknowledged (the retry a till makes).
  void SellUntilApplied(const std::string& txn, const std::string& card) {
    Sale sale;
    ASSERT_TRUE(WaitFor(
        [&] {
          sale = Sell(txn, card);
          return sale.applied;
        },
        30s))
        << txn << ": " << sale.error << "\n"
        << server_->Stderr();
    acked_[txn] = sale.points;
  }

  TempDir mnt_, logs_;
  bool mounted_ = false;
  int starts_ = 0;
  std::unique_ptr<ServerProcess> server_;
  std::map<std::string, int64_t> acked_;  // transaction id -> points earned
};

TEST_F(DiskFullTest, RefusesWhileFullSurvivesKillNineAndResumesWithNothingLost) {
  Start();
  ASSERT_TRUE(server_->ok()) << server_->Stderr();
  for (int i = 0; i < 20; ++i)
    SellUntilApplied("before-" + std::to_string(i), "c" + std::to_string(i % 5));
  ASSERT_TRUE(std::filesystem::exists(db() + "/disk-reserve"));

  Fill();
  // Sales are refused, with a reason a till can show and no path. (Each try
  // is a new sale: a retry of an applied one is answered from the store.)
  Sale refused;
  int tries = 0;
  std::vector<std::string> refused_txns;
  ASSERT_TRUE(WaitFor(
      [&] {
        const std::string txn = "probe-" + std::to_string(tries++);
        refused = Sell(txn, "c1");
        if (refused.applied) acked_[txn] = refused.points;
        return !refused.applied;
      },
      20s))
      << server_->Stderr();
  refused_txns.push_back("probe-" + std::to_string(tries - 1));
  EXPECT_NE(refused.error.find("store unavailable"), std::string::npos) << refused.error;
  EXPECT_EQ(refused.error.find(mnt_.path()), std::string::npos) << refused.error;
  EXPECT_EQ(refused.error.find(".log"), std::string::npos) << refused.error;
  for (int i = 1; i < 30; ++i) {
    EXPECT_FALSE(Sell("full-" + std::to_string(i), "c2").applied);
    refused_txns.push_back("full-" + std::to_string(i));
  }
  // Not ready, and why.
  testing::HttpReply ready;
  ASSERT_TRUE(WaitFor(
      [&] {
        ready = Http(server_->admin_port(), "GET", "/readyz");
        return ready.status == 503;
      },
      10s));
  EXPECT_NE(ready.body.find("the store refuses writes: the disk is full"), std::string::npos)
      << ready.body;
  const std::string metrics = Http(server_->admin_port(), "GET", "/metrics").body;
  EXPECT_NE(metrics.find("loyalty_store_writable 0"), std::string::npos);
  EXPECT_EQ(metrics.find("loyalty_commit_failures_total 0"), std::string::npos);
  // Lookups go on.
  auto client = testing::ConnectAs(server_->address());
  ASSERT_TRUE(client.ok());
  auto lookup = (*client)->Call(testing::WireLookup("c1"));
  ASSERT_TRUE(lookup.ok() && lookup->has_profile()) << lookup->DebugString();
  // Logged once, not once per refused sale.
  EXPECT_EQ(Count(server_->Stderr(), "the store refuses writes"), 1) << server_->Stderr();
  // The reserve was released: the restart has room.
  EXPECT_TRUE(WaitFor([&] { return !std::filesystem::exists(db() + "/disk-reserve"); }, 5s));

  ASSERT_EQ(server_->StopWith(SIGKILL), 128 + SIGKILL);
  // Someone took even the released reserve: the restart cannot open the
  // store, and says so; it does not abort inside RocksDB.
  Fill();
  Start();
  EXPECT_FALSE(server_->ok());
  EXPECT_EQ(server_->StopWith(SIGKILL), 1) << server_->Stderr();
  EXPECT_NE(server_->Stderr().find("the disk is full; free some space and start again"),
            std::string::npos)
      << server_->Stderr();
  EXPECT_EQ(server_->Stderr().find("Assertion"), std::string::npos) << server_->Stderr();
  // With room to open, but less than twice the reserve, it comes up and
  // refuses writes.
  std::filesystem::remove(filler());
  Fill(2 * 1024 * 1024 + 512 * 1024);
  Start();
  ASSERT_TRUE(server_->ok()) << "the restart on a full disk did not come up:\n"
                             << server_->Stderr();
  ready = Http(server_->admin_port(), "GET", "/readyz");
  EXPECT_EQ(ready.status, 503);
  EXPECT_NE(ready.body.find("the disk is full"), std::string::npos) << ready.body;
  EXPECT_FALSE(Sell("after-restart", "c3").applied);

  std::filesystem::remove(filler());
  ASSERT_TRUE(
      WaitFor([&] { return Http(server_->admin_port(), "GET", "/readyz").status == 200; }, 20s))
      << server_->Stderr();
  EXPECT_NE(server_->Stderr().find("the store takes writes again"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(db() + "/disk-reserve"));
  // Tills retry what was refused, with the same transaction ids.
  for (std::size_t i = 0; i < refused_txns.size(); ++i) {
    SellUntilApplied(refused_txns[i], i == 0 ? "c1" : "c2");
  }
  SellUntilApplied("after-restart", "c3");

  ASSERT_EQ(server_->StopWith(SIGTERM), 0);
  auto store = Store::Open({db()});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  std::map<std::string, int64_t> ledger;
  ASSERT_TRUE((*store)
                  ->ForEachCustomer([&](const CustomerState& c) {
                    return (*store)->ForEachLedgerEntry(c.customer_id, [&](const LedgerEntry& e) {
                      ledger[e.transaction_id] += e.points;
                      return Status::Ok();
                    });
                  })
                  .ok());
  for (const auto& [txn, points] : acked_) EXPECT_EQ(ledger[txn], points) << txn << ": once";
  auto audit = Audit(**store);
  ASSERT_TRUE(audit.ok());
  for (const std::string& p : audit->problems) ADD_FAILURE() << p;
}

// Without a reserve, RocksDB itself meets "no space" (in its WAL) unless the
// disk check sees the disk all but full first: either way the store stops
// taking writes, and resumes (RocksDB too) once space is back.
TEST_F(DiskFullTest, WithoutAReserveRocksDbStopsAndResumesWhenSpaceIsFreed) {
  Start("0");
  ASSERT_TRUE(server_->ok()) << server_->Stderr();
  SellUntilApplied("t-0", "c0");
  Fill();
  int tries = 0;
  std::string refused;
  Sale sale;
  ASSERT_TRUE(WaitFor(
      [&] {
        const std::string txn = "t-1-" + std::to_string(tries++);
        sale = Sell(txn, "c1");
        if (sale.applied) acked_[txn] = sale.points;
        refused = txn;
        return !sale.applied;
      },
      20s));
  ASSERT_TRUE(
      WaitFor([&] { return Http(server_->admin_port(), "GET", "/readyz").status == 503; }, 10s))
      << sale.error << "\n"
      << server_->Stderr();
  std::filesystem::remove(filler());
  ASSERT_TRUE(
      WaitFor([&] { return Http(server_->admin_port(), "GET", "/readyz").status == 200; }, 20s))
      << server_->Stderr();
  EXPECT_NE(server_->Stderr().find("the store refuses writes: the disk is full"), std::string::npos)
      << server_->Stderr();
  EXPECT_NE(server_->Stderr().find("the store takes writes again"), std::string::npos)
      << server_->Stderr();
  SellUntilApplied(refused, "c1");
  SellUntilApplied("t-2", "c2");
  ASSERT_EQ(server_->StopWith(SIGTERM), 0);
  auto store = Store::Open({db()});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  for (const auto& [txn, points] : acked_) {
    auto rec = (*store)->GetTxn(txn);
    ASSERT_TRUE(rec.ok());
    EXPECT_TRUE(rec->has_value()) << txn;
  }
}

}  // namespace
}  // namespace loyalty
