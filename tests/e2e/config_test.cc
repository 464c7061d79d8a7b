// loyaltyd's configuration end to end: precedence (flags over environment
// over file over defaults), --check-config and --print-config, the exact
// message of a bad option from each source, and the log formats.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace loyalty {
namespace {

using testing::RunLoyaltyd;
using testing::ServerProcess;
using testing::TempDir;

std::string Write(const TempDir& dir, const std::string& name, const std::string& text) {
  std::ofstream(dir.Sub(name)) << text;
  return dir.Sub(name);
}

TEST(ConfigTest, FlagsBeatTheEnvironmentWhichBeatsTheFileWhichBeatsDefaults) {
  TempDir dir;
  const std::string file = Write(dir, "c.yaml", "shards: 3\nread_timeout_ms: 2000\n");
  const std::string err = dir.Sub("err");
  auto print = [&](std::vector<std::string> args, std::vector<std::string> env) {
    args.insert(args.begin(), {"--print-config", "--config", file});
    auto r = RunLoyaltyd(args, env, err);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  };
  EXPECT_NE(print({}, {}).find("shards: \"3\""), std::string::npos);
  EXPECT_NE(print({}, {"LOYALTY_SHARDS=5"}).find("shards: \"5\""), std::string::npos);
  const std::string all = print({"--shards", "7"}, {"LOYALTY_SHARDS=5"});
  EXPECT_NE(all.find("shards: \"7\""), std::string::npos) << all;
  EXPECT_NE(all.find("read_timeout_ms: \"2000\""), std::string::npos) << all;    // file
  EXPECT_NE(all.find("idle_timeout_ms: \"300000\""), std::string::npos) << all;  // default
}

TEST(ConfigTest, PrintConfigRedactsTheTokens) {
  TempDir dir;
  auto r = RunLoyaltyd({"--print-config"}, {"LOYALTY_ADMIN_TOKENS=ops:admin:sup3r-secret-value-42"},
                       dir.Sub("err"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("{ name: \"ops\", role: \"admin\", token: <redacted> }"), std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("sup3r"), std::string::npos);
}

TEST(ConfigTest, CheckConfigNamesTheOptionTheSourceAndTheReason) {
  TempDir dir;
  const std::string err = dir.Sub("err");
  auto check = [&](std::vector<std::string> args, std::vector<std::string> env) {
    args.insert(args.begin(), "--check-config");
    auto r = RunLoyaltyd(args, env, err);
    EXPECT_EQ(r.exit_code, 1) << r.out;
    return r.err;
  };
  const std::string bad = Write(dir, "bad.yaml", "listen: 127.0.0.1:0\nshards: 0\n");
  EXPECT_EQ(check({"--config", bad}, {}),
            "loyaltyd: " + bad + ":2: shards must be a whole number from 1 to 64\n");
  EXPECT_EQ(check({}, {"LOYALTY_SHARDS=65"}),
            "loyaltyd: LOYALTY_SHARDS=65: shards must be a whole number from 1 to 64\n");
  EXPECT_EQ(check({"--shards", "x"}, {}),
            "loyaltyd: --shards x: shards must be a whole number from 1 to 64\n");
  EXPECT_EQ(check({"--durability", "maybe"}, {}),
            "loyaltyd: --durability maybe: durability must be sync or async\n");
  EXPECT_EQ(check({"--log-format", "xml"}, {}),
            "loyaltyd: --log-format xml: log_format must be text or json\n");
  EXPECT_EQ(check({"--admin-listen", "localhost"}, {}),
            "loyaltyd: admin_listen 'localhost' is not HOST:PORT or off\n");
  EXPECT_EQ(check({"--config", Write(dir, "u.yaml", "\nlistn: x\n")}, {}),
            "loyaltyd: " + dir.Sub("u.yaml") + ":2: listn is not a known option\n");
  EXPECT_EQ(check({}, {"LOYALTY_ADMIN_TOKENS=ops:boss:0123456789abcdef"}),
            "loyaltyd: admin_tokens[0].role 'boss' must be viewer, cashier, editor, publisher "
            "or admin\n");
  EXPECT_EQ(check({}, {"LOYALTY_ADMIN_TOKENS=ops:admin:short"}),
            "loyaltyd: admin_tokens[0].token (ops) must be 16 to 256 bytes, or sha256:<64 hex>; "
            "it is 5: use a long random string (openssl rand -hex 32)\n");
  EXPECT_EQ(check({}, {"LOYALTY_ADMIN_TOKENS=nonsense"}),
            "loyaltyd: LOYALTY_ADMIN_TOKENS: admin_tokens must be NAME:ROLE:SECRET entries "
            "separated by commas\n");
  const std::string twice =
      Write(dir, "t.yaml",
            "admin_tokens:\n  - { name: a, role: viewer, token: 0123456789abcdef }\n"
            "  - { name: a, role: admin, token: 0123456789abcdefg }\n");
  EXPECT_EQ(check({"--config", twice}, {}), "loyaltyd: admin_tokens[1].name 'a' is used twice\n");
  EXPECT_EQ(check({"--config", dir.Sub("none.yaml")}, {}),
            "loyaltyd: config file " + dir.Sub("none.yaml") + " cannot be read\n");

  auto good = RunLoyaltyd({"--check-config", "--shards", "4"}, {}, err);
  EXPECT_EQ(good.exit_code, 0);
  EXPECT_EQ(good.out, "loyaltyd: the configuration is valid\n");
}

TEST(ConfigTest, ABadOptionStopsStartupWithTheSameMessage) {
  TempDir dir;
  auto r = RunLoyaltyd({"--data-dir", dir.Sub("db"), "--listen", "127.0.0.1:0"},
                       {"LOYALTY_CONNECTIONS_MAX=0"}, dir.Sub("err"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "loyaltyd: LOYALTY_CONNECTIONS_MAX=0: connections_max must be a whole number from 1 "
            "to 100000\n");
  EXPECT_EQ(r.out, "");  // it never listened
}

TEST(ConfigTest, JsonLogsAreOneObjectALineAndUnknownVariablesAreWarnings) {
  TempDir dir;
  ServerProcess server({LOYALTYD_PATH, "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0",
                        "--data-dir", dir.Sub("db"), "--log-format", "json"},
                       {"LOYALTY_SHRADS=4"}, dir.Sub("json.stderr"));
  ASSERT_TRUE(server.ok()) << server.Stderr();
  EXPECT_EQ(server.StopWith(SIGTERM), 0);
  std::istringstream lines(server.Stderr());
  std::string line;
  std::vector<std::string> messages;
  while (std::getline(lines, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << line;
    EXPECT_TRUE(j.contains("ts") && j.contains("level")) << line;
    messages.push_back(j["msg"]);
  }
  ASSERT_GE(messages.size(), 3u) << server.Stderr();
  EXPECT_EQ(messages[0], "environment variable LOYALTY_SHRADS is not a loyaltyd option; ignored");
  EXPECT_NE(server.Stderr().find("started: registers on 127.0.0.1:"), std::string::npos);
  EXPECT_EQ(messages.back(), "stopped; bye");
}

}  // namespace
}  // namespace loyalty
