// The stored schema (adapters/rocksdb/schema.h): a store written by the
// previous schema opens after a verified backup and is migrated; a newer one
// is refused with what to do; tools refuse to migrate behind loyaltyd's back.
//
// The schema-1 store is made here the way the schema-1 build wrote it: raw
// RocksDB, the six column families, "schema_version" = "1" and no store id.
#include "adapters/rocksdb/schema.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include "adapters/rocksdb/audit.h"
#include "adapters/rocksdb/backup.h"
#include "adapters/rocksdb/key_codec.h"
#include "proto/store_codec.h"
#include "tests/support/events.h"
#include "tests/support/temp_dir.h"
#include "tests/support/world.h"

namespace loyalty {
namespace {

using testing::kT0;
using testing::L;

// A store as schema `version` left it, with one customer who bought once.
void WriteOldStore(const std::string& path, const std::string& version) {
  testing::World world;
  const DecideResult r = world.Apply(testing::Purchase("T-1", "4242", {L("A", 1, 1234)}), kT0);
  rocksdb::Options options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (const char* name :
       {rocksdb::kDefaultColumnFamilyName.c_str(), store_keys::kCustomers, store_keys::kCards,
        store_keys::kTxns, store_keys::kLedger, store_keys::kBudgets, store_keys::kMeta}) {
    cfs.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }
  std::vector<rocksdb::ColumnFamilyHandle*> h;
  rocksdb::DB* db = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(options, path, cfs, &h, &db).ok());
  const CustomerState& c = *r.effects.state;
  ASSERT_TRUE(db->Put({}, h[1], c.customer_id, store_codec::EncodeCustomer(c)).ok());
  ASSERT_TRUE(db->Put({}, h[2], "4242", c.customer_id).ok());
  ASSERT_TRUE(db->Put({}, h[3], "T-1", store_codec::EncodeTxn(*r.effects.txn, kT0)).ok());
  for (const LedgerEntry& e : r.effects.ledger) {
    ASSERT_TRUE(db->Put({}, h[4], store_keys::LedgerKey(e.customer_id, e.seq),
                        store_codec::EncodeLedgerEntry(e))
                    .ok());
  }
  ASSERT_TRUE(db->Put({}, h[6], store_keys::kSchemaVersionKey, version).ok());
  for (auto* handle : h) ASSERT_TRUE(db->DestroyColumnFamilyHandle(handle).ok());
  ASSERT_TRUE(db->Close().ok());
  delete db;
}

TEST(SchemaTest, EveryStepLeadsToTheCurrentVersionInOrder) {
  const auto& steps = schema::Migrations();
  ASSERT_FALSE(steps.empty());
  for (std::size_t i = 0; i < steps.size(); ++i) EXPECT_EQ(steps[i].to, i + 2);
  EXPECT_EQ(steps.back().to, store_codec::kSchemaVersion);
  EXPECT_EQ(schema::NewStoreId().size(), 32u);
  EXPECT_NE(schema::NewStoreId(), schema::NewStoreId());
}

TEST(SchemaTest, ANewStoreIsStampedWithTheCurrentVersionAndAnId) {
  testing::TempDir dir;
  auto store = Store::Open({dir.path()});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ((*store)->store_id().size(), 32u);
  auto version = (*store)->GetMeta(store_keys::kSchemaVersionKey);
  ASSERT_TRUE(version.ok() && version->has_value());
  EXPECT_EQ(**version, std::to_string(store_codec::kSchemaVersion));
  const std::string id = (*store)->store_id();
  store->reset();
  auto again = Store::Open({dir.path()});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->store_id(), id);  // made once, kept
}

TEST(SchemaTest, AStoreOfThePreviousSchemaIsBackedUpThenMigratedAndKeepsItsData) {
  testing::TempDir dir;
  const std::string db = dir.Sub("db");
  WriteOldStore(db, "1");
  StoreOptions options{db};
  options.schema = SchemaPolicy::kMigrate;
  options.migration_backup_dir = dir.Sub("before-upgrade");
  auto store = Store::Open(options);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ((*store)->store_id().size(), 32u);
  auto version = (*store)->GetMeta(store_keys::kSchemaVersionKey);
  ASSERT_TRUE(version.ok() && version->has_value());
  EXPECT_EQ(**version, std::to_string(store_codec::kSchemaVersion));
  ASSERT_EQ((*store)->open_notes().size(), 2u);
  EXPECT_NE((*store)->open_notes()[0].find("schema 1: backed up as backup 1 in " +
                                           dir.Sub("before-upgrade") + " (verified)"),
            std::string::npos)
      << (*store)->open_notes()[0];
  EXPECT_EQ((*store)->open_notes()[1],
            "schema migrated to version 2: give the store an id (meta store_id)");
  // The data written by schema 1 reads as before.
  auto id = (*store)->GetCustomerIdForCard("4242");
  ASSERT_TRUE(id.ok() && id->has_value());
  auto audit = Audit(**store);
  ASSERT_TRUE(audit.ok());
  EXPECT_EQ(audit->customers, 1u);
  EXPECT_EQ(audit->points_outstanding, 12);
  EXPECT_TRUE(audit->problems.empty());
  auto txn = (*store)->GetTxn("T-1");
  ASSERT_TRUE(txn.ok() && txn->has_value());

  // The backup is the schema-1 store, as it was.
  auto backups = ListBackups(dir.Sub("before-upgrade"));
  ASSERT_TRUE(backups.ok()) << backups.status().ToString();
  ASSERT_EQ(backups->size(), 1u);
  EXPECT_EQ((*backups)[0].schema_version, 1u);
  EXPECT_EQ((*backups)[0].note, "before migrating schema 1 to 2");
  ASSERT_TRUE(RestoreBackup(dir.Sub("before-upgrade"), 0, dir.Sub("old")).ok());
  StoreOptions as_is{dir.Sub("old")};
  as_is.schema = SchemaPolicy::kAny;
  auto old = Store::Open(as_is);
  ASSERT_TRUE(old.ok()) << old.status().ToString();
  auto old_version = (*old)->GetMeta(store_keys::kSchemaVersionKey);
  ASSERT_TRUE(old_version.ok() && old_version->has_value());
  EXPECT_EQ(**old_version, "1");
  EXPECT_EQ((*old)->store_id(), "");
}

TEST(SchemaTest, ToolsRefuseAnOlderSchemaAndSayHowToMigrate) {
  testing::TempDir dir;
  WriteOldStore(dir.path(), "1");
  auto store = Store::Open({dir.path()});  // SchemaPolicy::kCurrentOnly
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().message(),
            "the database at " + dir.path() +
                " has schema version 1; this build uses version 2. Start this version's "
                "loyaltyd on it once: it backs the store up and migrates it");
}

TEST(SchemaTest, ANewerSchemaIsRefusedEvenWhenMigrating) {
  testing::TempDir dir;
  WriteOldStore(dir.path(), "3");
  StoreOptions options{dir.path()};
  options.schema = SchemaPolicy::kMigrate;
  auto store = Store::Open(options);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().message(),
            "the database at " + dir.path() +
                " has schema version 3, written by a newer loyaltyd; this build reads up to "
                "version 2. Run the newer loyaltyd, or restore a backup taken before the "
                "upgrade (docs/OPERATIONS.md)");
}

TEST(SchemaTest, AVersionThatIsNoNumberIsCorruption) {
  testing::TempDir dir;
  WriteOldStore(dir.path(), "two");
  auto store = Store::Open({dir.path()});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace loyalty
