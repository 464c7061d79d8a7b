// loyaltyd --redis end to end: the real binaries, a real redis-server, and
// `loyalty lookup --via-redis` reading what another channel would read.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "tests/adapters/redis/redis_server.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace loyalty::testing {
namespace {

CliResult Purchase(const ServerProcess& server, const std::string& txn, const std::string& card) {
  return RunCli({"--server", server.address(), "purchase", "--txn", txn, "--store", "S1", "--card",
                 card, "--amount", "12.34", "--currency", "EUR"});
}

CliResult ViaRedis(const RedisServer& redis, const std::string& card, bool json,
                   const std::string& prefix = "loyalty:") {
  std::vector<std::string> args = {"lookup",         "--via-redis", "--redis", redis.address(),
                                   "--redis-prefix", prefix,        "--card",  card};
  if (json) args.insert(args.begin(), "--json");
  return RunCli(args);
}

nlohmann::json ServerProfile(const ServerProcess& server, const std::string& card) {
  const CliResult r = RunCli({"--server", server.address(), "--json", "lookup", "--card", card});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  return r.exit_code == 0 ? nlohmann::json::parse(r.out)["profile"] : nlohmann::json();
}

// Polls until Redis shows `card` at the version the server shows (publishing
// is behind the reply); true when it does.
bool ShowsServerVersion(const RedisServer& redis, const ServerProcess& server,
                        const std::string& card, const std::string& prefix = "loyalty:") {
  const nlohmann::json want = ServerProfile(server, card)["version"];
  for (int i = 0; i < 250; ++i) {
    const CliResult r = ViaRedis(redis, card, true, prefix);
    if (r.exit_code == 0 && nlohmann::json::parse(r.out)["profile"]["version"] == want) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

TEST(LoyaltydRedisTest, LookupViaRedisShowsWhatTheServerShows) {
  RedisServer redis;
  ASSERT_TRUE(redis.ok()) << redis.error();
  TempDir dir;
  ServerProcess server(dir.Sub("db"), {"--redis", redis.address()});
  ASSERT_TRUE(server.ok()) << server.Stderr();
  ASSERT_EQ(Purchase(server, "T-1", "4242").exit_code, 0);
  ASSERT_EQ(Purchase(server, "T-2", "4242").exit_code, 0);

  ASSERT_TRUE(ShowsServerVersion(redis, server, "4242"));
  // The snapshot carries what the cashier needs at once (balances, tier,
  // greeting hints, offers); the full signals come from the server.
  nlohmann::json want = ServerProfile(server, "4242");
  want.erase("signals");
  want.erase("currency");           // the snapshot carries no program currency (README, Redis)
  want.erase("marketing_consent");  // nor the consent: offers in it already respect it
  want.erase("consent_ms");
  const CliResult cached = ViaRedis(redis, "4242", true);
  nlohmann::json got = nlohmann::json::parse(cached.out);
  EXPECT_EQ(got["source"], "redis");
  got["profile"].erase("as_of_ms");
  EXPECT_EQ(got["profile"], want);

  const CliResult text = ViaRedis(redis, "4242", false);
  const std::string served = RunCli({"--server", server.address(), "lookup", "--card", "4242"}).out;
  std::istringstream lines(text.out);
  int shown = 0;
  for (std::string line; std::getline(lines, line); ++shown) {
    EXPECT_NE(served.find(line + "\n"), std::string::npos) << line << "\nnot in\n" << served;
  }
  EXPECT_EQ(shown, 3) << text.out;  // the balances, the next expiry and the greeting
  const CliResult unknown = ViaRedis(redis, "5555", false);
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.out.find("UNKNOWN_CARD"), std::string::npos) << unknown.out;
}

TEST(LoyaltydRedisTest, SellsWhileRedisIsAwayAndPublishesWhenItReturns) {
  RedisServer redis;
  ASSERT_TRUE(redis.ok()) << redis.error();
  redis.Kill();
  TempDir dir;
  ServerProcess server(dir.Sub("db"), {"--redis", redis.address()});
  ASSERT_TRUE(server.ok()) << server.Stderr();
  const auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(Purchase(server, "T-1", "4242").exit_code, 0);
  EXPECT_EQ(RunCli({"--server", server.address(), "lookup", "--card", "4242"}).exit_code, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));  // no waiting
  EXPECT_EQ(ViaRedis(redis, "4242", false).exit_code, 3);  // Redis unreachable

  ASSERT_TRUE(redis.Restart()) << redis.error();
  EXPECT_TRUE(ShowsServerVersion(redis, server, "4242"));
  EXPECT_EQ(server.StopWith(SIGTERM), 0);
  EXPECT_NE(server.Stderr().find("redis up=1"), std::string::npos) << server.Stderr();
}

TEST(LoyaltydRedisTest, TheConfigFileSetsTheRedisAddressPrefixAndTtl) {
  RedisServer redis;
  ASSERT_TRUE(redis.ok()) << redis.error();
  TempDir dir;
  std::ofstream(dir.Sub("loyaltyd.yaml")) << "redis: " << redis.address() << "\n"
                                          << "redis_key_prefix: \"shop:\"\n"
                                          << "redis_ttl_s: 60\n"
                                          << "redis_command_timeout_ms: 250\n";
  ServerProcess server(dir.Sub("db"), {"--config", dir.Sub("loyaltyd.yaml")});
  ASSERT_TRUE(server.ok()) << server.Stderr();
  ASSERT_EQ(Purchase(server, "T-1", "4242").exit_code, 0);
  EXPECT_TRUE(ShowsServerVersion(redis, server, "4242", "shop:"));
  auto ttl = redis.Command({"TTL", "shop:card:4242"});
  ASSERT_TRUE(ttl.ok());
  EXPECT_GT(ttl->integer, 0);
  EXPECT_LE(ttl->integer, 60);
}

TEST(LoyaltydRedisTest, RefusesToStartWithABadRedisOption) {
  TempDir dir;
  std::ofstream(dir.Sub("bad.yaml")) << "redis_command_timeout_ms: 0\n";
  ServerProcess bad_option(dir.Sub("db1"), {"--config", dir.Sub("bad.yaml")});
  EXPECT_FALSE(bad_option.ok());
  EXPECT_NE(bad_option.Stderr().find("redis_command_timeout_ms"), std::string::npos)
      << bad_option.Stderr();
  ServerProcess bad_address(dir.Sub("db2"), {"--redis", "nowhere"});
  EXPECT_FALSE(bad_address.ok());
  EXPECT_NE(bad_address.Stderr().find("HOST:PORT"), std::string::npos) << bad_address.Stderr();
}

}  // namespace
}  // namespace loyalty::testing
