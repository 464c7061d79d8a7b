#include "adapters/rocksdb/rule_versions.h"

#include <gtest/gtest.h>

#include "adapters/rocksdb/key_codec.h"
#include "tests/support/temp_dir.h"

namespace loyalty {
namespace {

struct Opened {
  std::unique_ptr<Store> store;
  std::unique_ptr<AuditLog> audit;
  std::unique_ptr<RuleVersions> versions;
};

Opened Open(const std::string& path) {
  Opened o;
  StoreOptions options;
  options.path = path;
  auto store = Store::Open(options);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  o.store = std::move(*store);
  auto audit = AuditLog::Open(*o.store);
  EXPECT_TRUE(audit.ok());
  o.audit = std::move(*audit);
  o.versions = std::make_unique<RuleVersions>(*o.audit);
  return o;
}

StoredRuleSet Draft(const std::string& yaml, const std::string& author) {
  StoredRuleSet d;
  d.set_yaml(yaml);
  d.set_author(author);
  return d;
}

store::v1::AuditEntry By(const std::string& who, const std::string& action) {
  store::v1::AuditEntry e;
  e.set_who(who);
  e.set_action(action);
  return e;
}

TEST(KeyCodecTest, MetaKeysSortAsTheirNumbers) {
  EXPECT_EQ(store_keys::RuleSetKey(7), "ruleset/0000000007");
  EXPECT_LT(store_keys::RuleSetKey(9), store_keys::RuleSetKey(10));
  EXPECT_LT(store_keys::AuditKey(99), store_keys::AuditKey(100));
}

TEST(RuleVersionsTest, NumbersAreGivenByTheStoreAndNeverReused) {
  testing::TempDir dir;
  {
    Opened o = Open(dir.Sub("db"));
    auto a = o.versions->AddDraft(Draft("a: 1\n", "ann"), By("ann", "rules.upload"));
    auto b = o.versions->AddDraft(Draft("b: 2\n", "bob"), By("bob", "rules.upload"));
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(a->version(), 1u);
    EXPECT_EQ(b->version(), 2u);
    EXPECT_EQ(b->state(), store::v1::DRAFT);
  }
  Opened o = Open(dir.Sub("db"));  // after a restart, numbering goes on
  auto c = o.versions->AddDraft(Draft("c: 3\n", "cy"), By("cy", "rules.upload"));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->version(), 3u);
  auto all = o.versions->List();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[1].yaml(), "b: 2\n");
  EXPECT_EQ((*all)[1].author(), "bob");
}

TEST(RuleVersionsTest, ActivatingRetiresThePreviousAndTheAuditLogSaysBeforeAndAfter) {
  testing::TempDir dir;
  Opened o = Open(dir.Sub("db"));
  ASSERT_TRUE(o.versions->AddDraft(Draft("a\n", "ann"), By("ann", "rules.upload")).ok());
  ASSERT_TRUE(o.versions->AddDraft(Draft("b\n", "ann"), By("ann", "rules.upload")).ok());
  ASSERT_TRUE(o.versions->Activate(1, "pia", 1000, By("pia", "rules.activate")).ok());
  auto two = o.versions->Activate(2, "paul", 2000, By("paul", "rules.activate"));
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(two->state(), store::v1::ACTIVE);
  EXPECT_EQ(two->activated_by(), "paul");
  auto one = o.versions->Get(1);
  ASSERT_TRUE(one.ok() && one->has_value());
  EXPECT_EQ((*one)->state(), store::v1::RETIRED);
  EXPECT_TRUE((*one)->was_active());
  auto active = o.versions->Active();
  ASSERT_TRUE(active.ok() && active->has_value());
  EXPECT_EQ((*active)->version(), 2u);

  auto log = o.audit->List(10, 0);
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->size(), 4u);
  EXPECT_EQ((*log)[0].seq(), 4u);  // newest first
  EXPECT_EQ((*log)[0].who(), "paul");
  EXPECT_EQ((*log)[0].before_version(), 1u);
  EXPECT_EQ((*log)[0].after_version(), 2u);
  EXPECT_EQ((*log)[0].target(), "rules/2");
  auto older = o.audit->List(2, 3);
  ASSERT_TRUE(older.ok());
  ASSERT_EQ(older->size(), 2u);
  EXPECT_EQ((*older)[0].seq(), 2u);
}

TEST(RuleVersionsTest, AScheduleCanBeTakenBackAndAMissingVersionIsNotFound) {
  testing::TempDir dir;
  Opened o = Open(dir.Sub("db"));
  ASSERT_TRUE(o.versions->AddDraft(Draft("a\n", "ann"), By("ann", "rules.upload")).ok());
  auto s = o.versions->Schedule(1, 5000, "pia", By("pia", "rules.schedule"));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->state(), store::v1::SCHEDULED);
  EXPECT_EQ(s->activate_at_ms(), 5000);
  auto back = o.versions->Schedule(1, 0, "pia", By("pia", "rules.schedule"));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->state(), store::v1::DRAFT);
  auto missing = o.versions->Activate(9, "pia", 1, By("pia", "rules.activate"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(), "rule set version 9 does not exist");
}

TEST(RuleVersionsTest, AForwardActivationRemembersWhatItReplacedAndARollbackDoesNot) {
  testing::TempDir dir;
  Opened o = Open(dir.Sub("db"));
  for (const char* text : {"a\n", "b\n", "c\n"}) {
    ASSERT_TRUE(o.versions->AddDraft(Draft(text, "ann"), By("ann", "rules.upload")).ok());
  }
  ASSERT_TRUE(o.versions->Activate(1, "pia", 1000, By("pia", "rules.activate")).ok());
  ASSERT_TRUE(o.versions->Activate(2, "pia", 2000, By("pia", "rules.activate")).ok());
  auto three = o.versions->Activate(3, "pia", 3000, By("pia", "rules.activate"));
  ASSERT_TRUE(three.ok());
  EXPECT_EQ(three->replaced_version(), 2u);
  auto back =
      o.versions->Activate(2, "paul", 4000, By("paul", "rules.rollback"), Activation::kRollback);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->replaced_version(), 1u);  // still what 2 replaced: the next rollback goes to 1
  auto submitted = o.versions->AddDraft(Draft("d\n", "ann"), By("ann", "rules.upload"));
  ASSERT_TRUE(submitted.ok());
  auto asked = o.versions->Submit(4, "ann", 5000, "for spring", By("ann", "rules.submit"));
  ASSERT_TRUE(asked.ok());
  EXPECT_EQ(asked->state(), store::v1::DRAFT);
  EXPECT_EQ(asked->submitted_ms(), 5000);
  EXPECT_EQ(asked->submit_note(), "for spring");
  EXPECT_FALSE(o.versions->Submit(2, "ann", 5000, "", By("ann", "rules.submit")).ok());
}

}  // namespace
}  // namespace loyalty
