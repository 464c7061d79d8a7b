// The snapshot's hash fields: what another team reads (README.md).
#include "adapters/redis/schema.h"

#include <gtest/gtest.h>

#include "adapters/redis/circuit_breaker.h"
#include "adapters/redis/connection.h"

namespace loyalty::redis {
namespace {

CustomerState Customer() {
  CustomerState s;
  s.customer_id = "cust-1";
  s.cards = {"4242", "4343"};
  s.enrolled_at_ms = 1'000;
  s.birthday = Date{0, 2, 29};
  s.version = 7;
  s.tier = "gold";
  s.lots.push_back(Lot{120, 1'000, 1'000, 0, "T-1"});
  s.lifetime_points = 120;
  s.visits = 3;
  s.spend_minor = 12'345;
  return s;
}

TEST(SchemaTest, ASnapshotSurvivesItsHashFields) {
  const Snapshot s = MakeSnapshot(Customer(), 5'000);
  EXPECT_EQ(s.version, 7u);
  EXPECT_EQ(s.balance, 120);
  EXPECT_EQ(s.birthday, "--02-29");
  EXPECT_EQ(s.offers, "[]");
  auto back = ParseSnapshot(SnapshotFields(s));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, s);
}

TEST(SchemaTest, AProfileWithOffersAndHintsPutsThemInTheSnapshot) {
  const CustomerState c = Customer();
  Profile p = ViewProfile(c, 5'000);
  p.hints = {"Gold member since March 2025", "Loves \"school\""};
  p.offers = {{"school10", "Back to school", "10% off school", 9'000, true}};
  const Snapshot s = MakeSnapshot(p, 5'000);
  EXPECT_EQ(s.greeting_hints, R"(["Gold member since March 2025","Loves \"school\""])");
  EXPECT_EQ(s.offers, R"([{"early_access":true,"name":"Back to school","offer_id":"school10",)"
                      R"("reward":"10% off school","valid_until_ms":9000}])");
  EXPECT_EQ(s.balance, 120);
  auto back = ParseSnapshot(SnapshotFields(s));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, s);
}

TEST(SchemaTest, KeysLiveUnderTheConfiguredPrefix) {
  const KeySchema k("shop:");
  EXPECT_EQ(k.CustomerKey("cust-1"), "shop:customer:cust-1");
  EXPECT_EQ(k.CardKey("4242"), "shop:card:4242");
  EXPECT_EQ(k.MetaKey(), "shop:meta");
}

TEST(SchemaTest, RefusesASnapshotOfANewerSchemaOrWithABrokenNumber) {
  auto fields = SnapshotFields(MakeSnapshot(Customer(), 5'000));
  fields[0].second = std::to_string(kSchemaVersion + 1);
  EXPECT_EQ(ParseSnapshot(fields).status().code(), StatusCode::kCorruption);
  fields = SnapshotFields(MakeSnapshot(Customer(), 5'000));
  for (auto& [name, value] : fields) {
    if (name == "balance") value = "12x";
  }
  auto bad = ParseSnapshot(fields);
  EXPECT_NE(bad.status().message().find("balance"), std::string::npos);
}

TEST(EndpointTest, ParsesHostAndPortAndRefusesTheRest) {
  auto e = ParseEndpoint("127.0.0.1:6380");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->host, "127.0.0.1");
  EXPECT_EQ(e->port, 6380);
  EXPECT_FALSE(ParseEndpoint("localhost").ok());
  EXPECT_FALSE(ParseEndpoint("localhost:0").ok());
  EXPECT_FALSE(ParseEndpoint(":6379").ok());
  EXPECT_FALSE(ParseEndpoint("h:65536").ok());
}

TEST(CircuitBreakerTest, OpensAfterFailuresInARowAndProbesAfterTheBackoff) {
  CircuitBreaker b({.failures_max = 2, .backoff_initial_ms = 100, .backoff_max_ms = 300});
  EXPECT_TRUE(b.AllowAttempt(0));
  b.OnFailure(0);
  EXPECT_EQ(b.state(), CircuitBreaker::State::kClosed);  // one blip: retry at once
  b.OnFailure(10);
  EXPECT_EQ(b.state(), CircuitBreaker::State::kOpen);
  EXPECT_FALSE(b.AllowAttempt(109));
  EXPECT_TRUE(b.AllowAttempt(110));
  EXPECT_EQ(b.state(), CircuitBreaker::State::kHalfOpen);
}

TEST(CircuitBreakerTest, EachFailedProbeDoublesTheWaitUpToTheMaximum) {
  CircuitBreaker b({.failures_max = 1, .backoff_initial_ms = 100, .backoff_max_ms = 300});
  b.OnFailure(0);
  EXPECT_EQ(b.retry_at_ms(), 100);
  ASSERT_TRUE(b.AllowAttempt(100));
  b.OnFailure(100);
  EXPECT_EQ(b.retry_at_ms(), 300);
  ASSERT_TRUE(b.AllowAttempt(300));
  b.OnFailure(300);
  EXPECT_EQ(b.retry_at_ms(), 600);  // capped at 300
  ASSERT_TRUE(b.AllowAttempt(600));
  b.OnSuccess();
  EXPECT_EQ(b.state(), CircuitBreaker::State::kClosed);
  b.OnFailure(1000);
  EXPECT_EQ(b.retry_at_ms(), 1100);  // the backoff starts over
}

}  // namespace
}  // namespace loyalty::redis
