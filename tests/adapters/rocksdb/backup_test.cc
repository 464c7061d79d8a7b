// Backups of an open store (adapters/rocksdb/backup.h): taken while commits
// go on, incremental, verified, restored only into an empty directory, and a
// damaged one is caught before it is restored.
#include "adapters/rocksdb/backup.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "adapters/rocksdb/audit.h"
#include "tests/support/events.h"
#include "tests/support/temp_dir.h"
#include "tests/support/world.h"

namespace loyalty {
namespace {

using testing::kT0;
using testing::L;

// `n` purchases by `cards` customers, committed one event a batch.
void Sell(Store& store, testing::World& world, int from, int n, int cards = 20) {
  for (int i = from; i < from + n; ++i) {
    const std::string card = "card-" + std::to_string(i % cards);
    DecideResult r = world.Apply(
        testing::Purchase("T-" + std::to_string(i), card, {L("A", 1, 100 + i)}), kT0 + i);
    WriteSet w = store.NewWriteSet();
    w.PutTxn(*r.effects.txn, kT0);
    for (const auto& e : r.effects.ledger) w.PutLedger(e);
    w.PutCustomer(*r.effects.state);
    if (r.effects.link_card) w.PutCard(card, r.effects.state->customer_id);
    ASSERT_TRUE(store.Commit(w).ok());
  }
}

// Every customer's state and ledger, as one comparable text.
std::string Contents(const Store& store) {
  std::string out;
  EXPECT_TRUE(store
                  .ForEachCustomer([&](const CustomerState& c) {
                    out += c.customer_id + " balance " + std::to_string(c.balance()) + ":";
                    return store.ForEachLedgerEntry(c.customer_id, [&](const LedgerEntry& e) {
                      out += " " + std::to_string(e.seq) + "/" + std::to_string(e.points);
                      return Status::Ok();
                    });
                  })
                  .ok());
  return out;
}

TEST(BackupTest, ARestoredBackupIsTheStoreAsItWasAndLaterBackupsCopyOnlyWhatIsNew) {
  testing::TempDir dir;
  testing::World world;
  auto store = Store::Open({dir.Sub("db")});
  ASSERT_TRUE(store.ok());
  Sell(**store, world, 0, 300);
  auto first = (*store)->Backup({dir.Sub("backups"), 0, "first"});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->id, 1u);
  EXPECT_TRUE(first->verified);
  EXPECT_EQ(first->store_id, (*store)->store_id());
  EXPECT_EQ(first->copied_bytes, first->size_bytes);  // nothing was there before
  const std::string at_first = Contents(**store);

  Sell(**store, world, 300, 10);
  auto second = (*store)->Backup({dir.Sub("backups"), 0, "second"});
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->id, 2u);
  EXPECT_LT(second->copied_bytes, second->size_bytes);  // incremental

  auto last = (*store)->LastBackup();
  ASSERT_TRUE(last.ok() && last->has_value());
  EXPECT_EQ((*last)->id, 2u);
  EXPECT_EQ((*last)->note, "second");

  auto restored = RestoreBackup(dir.Sub("backups"), 1, dir.Sub("restored-1"));
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  auto one = Store::Open({dir.Sub("restored-1")});
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(Contents(**one), at_first);
  EXPECT_EQ((*one)->store_id(), (*store)->store_id());

  ASSERT_TRUE(RestoreBackup(dir.Sub("backups"), 0, dir.Sub("restored-2")).ok());
  auto two = Store::Open({dir.Sub("restored-2")});
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(Contents(**two), Contents(**store));
  auto audit = Audit(**two);
  ASSERT_TRUE(audit.ok());
  EXPECT_TRUE(audit->problems.empty());

  auto list = ListBackups(dir.Sub("backups"));
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].note, "first");
  EXPECT_EQ((*list)[1].note, "second");
}

TEST(BackupTest, ABackupTakenWhileCommitsGoOnHoldsWholeBatchesOnly) {
  testing::TempDir dir;
  testing::World world;
  auto store = Store::Open({dir.Sub("db")});
  ASSERT_TRUE(store.ok());
  Sell(**store, world, 0, 50);
  std::atomic<bool> stop{false};
  std::thread seller([&] {
    for (int i = 50; !stop; i += 10) Sell(**store, world, i, 10);
  });
  auto made = (*store)->Backup({dir.Sub("backups"), 0, "busy"});
  stop = true;
  seller.join();
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  ASSERT_TRUE(RestoreBackup(dir.Sub("backups"), 0, dir.Sub("restored")).ok());
  auto restored = Store::Open({dir.Sub("restored")});
  ASSERT_TRUE(restored.ok());
  auto audit = Audit(**restored);  // every state agrees with its ledger
  ASSERT_TRUE(audit.ok());
  EXPECT_GE(audit->customers, 20u);
  for (const std::string& p : audit->problems) ADD_FAILURE() << p;
}

TEST(BackupTest, KeepRemovesTheOldestBackups) {
  testing::TempDir dir;
  testing::World world;
  auto store = Store::Open({dir.Sub("db")});
  ASSERT_TRUE(store.ok());
  for (int i = 0; i < 3; ++i) {
    Sell(**store, world, i * 5, 5);
    ASSERT_TRUE((*store)->Backup({dir.Sub("backups"), 2, ""}).ok());
  }
  auto list = ListBackups(dir.Sub("backups"));
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].id, 2u);
  EXPECT_EQ((*list)[1].id, 3u);
}

TEST(BackupTest, ARestoreNeverOverwritesAndRefusesADamagedBackup) {
  testing::TempDir dir;
  testing::World world;
  auto store = Store::Open({dir.Sub("db")});
  ASSERT_TRUE(store.ok());
  Sell(**store, world, 0, 100);
  ASSERT_TRUE((*store)->Backup({dir.Sub("backups"), 0, ""}).ok());

  auto over = RestoreBackup(dir.Sub("backups"), 0, dir.Sub("db"));
  ASSERT_FALSE(over.ok());
  EXPECT_NE(over.status().message().find("is not empty; a restore never overwrites a store"),
            std::string::npos);
  EXPECT_EQ(RestoreBackup(dir.Sub("backups"), 9, dir.Sub("x")).status().message(),
            "no backup 9 in " + dir.Sub("backups"));

  // Flip a byte in one of the backup's files: the checksum catches it.
  std::string victim;
  for (const auto& f : std::filesystem::recursive_directory_iterator(dir.Sub("backups"))) {
    if (f.is_regular_file() && f.path().string().find("/meta/") == std::string::npos &&
        f.file_size() > 100) {
      victim = f.path();
    }
  }
  ASSERT_FALSE(victim.empty());
  {
    std::fstream file(victim, std::ios::in | std::ios::out | std::ios::binary);
    file.seekg(50);
    char c = 0;
    file.get(c);
    file.seekp(50);
    file.put(static_cast<char>(c ^ 0x5a));
  }
  auto damaged = RestoreBackup(dir.Sub("backups"), 0, dir.Sub("restored"));
  ASSERT_FALSE(damaged.ok());
  EXPECT_NE(damaged.status().message().find("verify backup 1"), std::string::npos)
      << damaged.status().message();
}

}  // namespace
}  // namespace loyalty
