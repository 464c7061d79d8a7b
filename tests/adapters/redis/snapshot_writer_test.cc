// The version guard against a real redis-server: a newer snapshot is never
// replaced by an older one, whatever order the writes arrive in.
#include "adapters/redis/snapshot_writer.h"

#include <gtest/gtest.h>

#include "adapters/redis/reader.h"
#include "tests/adapters/redis/redis_server.h"

namespace loyalty::redis {
namespace {

using testing::RedisServer;

Snapshot At(uint64_t version, TimeMs as_of_ms, int64_t balance) {
  Snapshot s;
  s.customer_id = "cust-1";
  s.cards = {"4242"};
  s.tier = "member";
  s.version = version;
  s.as_of_ms = as_of_ms;
  s.balance = balance;
  return s;
}

class SnapshotWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(redis_.ok()) << redis_.error();
    auto c = Connection::Open(redis_.endpoint(), 1000, 1000);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    connection_ = std::move(*c);
    ASSERT_TRUE(writer_.Prepare(*connection_).ok());
  }
  std::vector<WriteOutcome> Write(const std::vector<Snapshot>& batch) {
    auto r = writer_.Write(*connection_, batch);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->outcomes : std::vector<WriteOutcome>{};
  }
  Snapshot Stored() {
    auto reader = Reader::Open(redis_.endpoint(), KeySchema("t:"), 1000);
    EXPECT_TRUE(reader.ok());
    auto s = (*reader)->ByCard("4242");
    EXPECT_TRUE(s.ok() && s->has_value());
    return s.ok() && s->has_value() ? **s : Snapshot{};
  }

  RedisServer redis_;
  std::unique_ptr<Connection> connection_;
  SnapshotWriter writer_{KeySchema("t:"), 3600};
};

TEST_F(SnapshotWriterTest, WritesASnapshotReadableByCardWithTheTtlOnEveryKey) {
  EXPECT_EQ(Write({At(1, 100, 10)}), std::vector{WriteOutcome::kWritten});
  EXPECT_EQ(Stored(), At(1, 100, 10));
  for (const char* key : {"t:customer:cust-1", "t:card:4242"}) {
    auto ttl = redis_.Command({"TTL", key});
    ASSERT_TRUE(ttl.ok());
    EXPECT_GT(ttl->integer, 3500) << key;
  }
}

TEST_F(SnapshotWriterTest, AnOlderSnapshotWrittenLateNeverReplacesANewerOne) {
  EXPECT_EQ(Write({At(5, 100, 50)}), std::vector{WriteOutcome::kWritten});
  EXPECT_EQ(Write({At(3, 900, 30)}), std::vector{WriteOutcome::kStale});  // older version
  EXPECT_EQ(Write({At(5, 50, 49)}), std::vector{WriteOutcome::kStale});   // same, older as-of
  EXPECT_EQ(Stored(), At(5, 100, 50));
  // In one pipelined batch too, and a later as-of of the same version wins.
  EXPECT_EQ(Write({At(7, 200, 70), At(6, 300, 60), At(7, 250, 71)}),
            (std::vector{WriteOutcome::kWritten, WriteOutcome::kStale, WriteOutcome::kWritten}));
  EXPECT_EQ(Stored(), At(7, 250, 71));
}

TEST_F(SnapshotWriterTest, FallsBackToEvalWhenRedisForgetsTheScript) {
  ASSERT_TRUE(redis_.Command({"SCRIPT", "FLUSH"}).ok());
  EXPECT_EQ(Write({At(1, 100, 10), At(2, 100, 20)}),
            (std::vector{WriteOutcome::kWritten, WriteOutcome::kWritten}));
  EXPECT_EQ(Write({At(3, 100, 30)}), std::vector{WriteOutcome::kWritten});  // EVALSHA again
  EXPECT_EQ(Stored().balance, 30);
}

TEST_F(SnapshotWriterTest, AKeyOfAnotherTypeIsRefusedWithoutBreakingTheBatch) {
  ASSERT_TRUE(redis_.Command({"SET", "t:customer:other", "not a hash"}).ok());
  Snapshot other = At(1, 100, 1);
  other.customer_id = "other";
  other.cards = {"9999"};
  auto r = writer_.Write(*connection_, {other, At(1, 100, 10)});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcomes, (std::vector{WriteOutcome::kRefused, WriteOutcome::kWritten}));
  EXPECT_NE(r->first_error.find("WRONGTYPE"), std::string::npos) << r->first_error;
}

TEST_F(SnapshotWriterTest, WithoutATtlKeysNeverExpire) {
  SnapshotWriter forever(KeySchema("t:"), 0);
  ASSERT_TRUE(forever.Prepare(*connection_).ok());
  ASSERT_TRUE(forever.Write(*connection_, {At(1, 100, 10)}).ok());
  EXPECT_EQ(redis_.Command({"TTL", "t:customer:cust-1"})->integer, -1);
  EXPECT_EQ(redis_.Command({"TTL", "t:card:4242"})->integer, -1);
}

TEST(ConnectionTest, AnUnreachableServerIsAnIoErrorNamingTheAddress) {
  RedisServer redis;
  ASSERT_TRUE(redis.ok()) << redis.error();
  redis.Kill();
  auto c = Connection::Open(redis.endpoint(), 200, 200);
  EXPECT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kIoError);
  EXPECT_NE(c.status().message().find(redis.address()), std::string::npos);
}

}  // namespace
}  // namespace loyalty::redis
