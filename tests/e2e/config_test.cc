// loyaltyd's configuration end to end: precedence (flags over environment
// over file over defaults), --check-config and --print-config, the exact
// message of a bad option from each source, and the log formats.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
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

  auto good = RunLoyaltyd({"--check-config", "--shards", "4", "--listen", "127.0.0.1:0",
                           "--admin-listen", "127.0.0.1:0", "--data-dir", dir.Sub("db")},
                          {}, err);
  EXPECT_EQ(good.exit_code, 0) << good.err;
  EXPECT_EQ(good.out, "loyaltyd: the configuration is valid\n");
}

// --check-config checks what startup checks, and lists every problem.
TEST(ConfigTest, CheckConfigCatchesWhatWouldStopStartupAndListsEveryProblem) {
  TempDir dir;
  const std::string err = dir.Sub("err");
  auto check = [&](std::vector<std::string> args) {
    args.insert(args.begin(), "--check-config");
    args.insert(args.end(), {"--admin-listen", "127.0.0.1:0", "--data-dir", dir.Sub("db")});
    if (std::find(args.begin(), args.end(), "--listen") == args.end()) {
      args.insert(args.end(), {"--listen", "127.0.0.1:0"});
    }
    return RunLoyaltyd(args, {}, err);
  };
  // A missing rules file.
  auto missing = check({"--rules", dir.Sub("none.yaml")});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err,
            "loyaltyd: rules '" + dir.Sub("none.yaml") + "' cannot be read (no such file)\n");
  // An invalid one: its mistakes, with file:line:column.
  const std::string bad_rules =
      Write(dir, "bad-rules.yaml", "program:\n  currency: EUR\n  rounding: flor\n");
  auto invalid = check({"--rules", bad_rules});
  EXPECT_EQ(invalid.exit_code, 1);
  EXPECT_NE(invalid.err.find("loyaltyd: rules: " + bad_rules + ":3:"), std::string::npos)
      << invalid.err;
  // A host name where an IP address is needed: refused by the check and by
  // startup alike.
  auto named = check({"--listen", "localhost:0"});
  EXPECT_EQ(named.exit_code, 1);
  const std::string why =
      "loyaltyd: listen 'localhost:0': the host must be an IP address (127.0.0.1, 0.0.0.0, "
      "[::1] or [::]), not a name\n";
  EXPECT_EQ(named.err, why);
  auto started = RunLoyaltyd({"--listen", "localhost:0", "--data-dir", dir.Sub("db")}, {}, err);
  EXPECT_EQ(started.exit_code, 1);
  EXPECT_EQ(started.err, why);
  // Every problem, not the first.
  const std::string many = Write(
      dir, "many.yaml",
      "shards: 0\ndurability: maybe\nlisten: localhost:0\nrules: " + dir.Sub("none.yaml") + "\n");
  auto all = RunLoyaltyd({"--check-config", "--config", many, "--admin-listen", "127.0.0.1:0",
                          "--data-dir", dir.Sub("db")},
                         {"LOYALTY_READ_TIMEOUT_MS=1"}, err);
  EXPECT_EQ(all.exit_code, 1);
  EXPECT_EQ(all.err,
            "loyaltyd: " + many + ":1: shards must be a whole number from 1 to 64\n" +
                "loyaltyd: " + many + ":2: durability must be sync or async\n" +
                "loyaltyd: LOYALTY_READ_TIMEOUT_MS=1: read_timeout_ms must be a whole number "
                "from 100 to 600000\n" +
                why + "loyaltyd: rules '" + dir.Sub("none.yaml") +
                "' cannot be read (no such file)\n" +
                "loyaltyd: 5 problems in the configuration\n");
}

// The secrets are their owner's: a key or registers file others may read is
// a warning; a group-readable one (Kubernetes' fsGroup makes 0400 into
// 0440) is not. Unknown LOYALTY_* variables are listed too.
TEST(ConfigTest, CheckConfigWarnsOfASecretOthersMayRead) {
  TempDir dir;
  const std::string cert = Write(dir, "tls.crt", "cert");
  const std::string key = Write(dir, "tls.key", "key");
  const std::string registers = Write(dir, "registers", "");
  auto check = [&] {
    return RunLoyaltyd(
        {"--check-config", "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", "--data-dir",
         dir.Sub("db")},
        {"LOYALTY_REGISTER_TLS=on", "LOYALTY_TLS_CERT=" + cert, "LOYALTY_TLS_KEY=" + key,
         "LOYALTY_REGISTERS=" + registers, "LOYALTY_SHRADS=4"},
        dir.Sub("err"));
  };
  std::filesystem::permissions(key, std::filesystem::perms(0644));
  std::filesystem::permissions(registers, std::filesystem::perms(0440));
  auto open = check();
  EXPECT_EQ(open.exit_code, 0) << open.err;
  EXPECT_NE(open.out.find("loyaltyd: warning: tls_key '" + key +
                          "' is a secret open to others (mode 0644): chmod 600 it\n"),
            std::string::npos)
      << open.out;
  EXPECT_EQ(open.out.find("registers '"), std::string::npos) << open.out;
  EXPECT_NE(open.out.find("loyaltyd: warning: environment variable LOYALTY_SHRADS is not a "
                          "loyaltyd option; ignored\n"),
            std::string::npos)
      << open.out;
  std::filesystem::permissions(key, std::filesystem::perms(0600));
  std::filesystem::permissions(registers, std::filesystem::perms(0604));
  auto other = check();
  EXPECT_EQ(other.out.find("tls_key '"), std::string::npos) << other.out;
  EXPECT_NE(other.out.find("registers '" + registers + "' is a secret open to others (mode 0604)"),
            std::string::npos)
      << other.out;
}

// IPv6 in brackets is accepted everywhere: when the check says valid, the
// server starts there; where the machine has no IPv6, both refuse alike.
TEST(ConfigTest, AnIpv6ListenAddressChecksAndStartsAlike) {
  TempDir dir;
  const std::string err = dir.Sub("err");
  auto check = RunLoyaltyd({"--check-config", "--listen", "[::1]:0", "--admin-listen", "[::1]:0",
                            "--data-dir", dir.Sub("db")},
                           {}, err);
  ServerProcess server({LOYALTYD_PATH, "--listen", "[::1]:0", "--admin-listen", "[::1]:0",
                        "--data-dir", dir.Sub("db")},
                       {}, dir.Sub("server.stderr"));
  if (check.exit_code == 0) {
    EXPECT_TRUE(server.ok()) << server.Stderr();
    EXPECT_NE(server.banner().find("loyaltyd admin on [::1]:"), std::string::npos)
        << server.banner();
  } else {
    EXPECT_NE(check.err.find("listen [::1]:0 cannot be bound"), std::string::npos) << check.err;
    EXPECT_FALSE(server.ok());
  }
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
  std::map<std::string, nlohmann::json> events;  // by "event"
  while (std::getline(lines, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << line;
    EXPECT_TRUE(j.contains("ts") && j.contains("level")) << line;
    EXPECT_TRUE(j.contains("version") && j["version"].is_string()) << line;
    messages.push_back(j["msg"]);
    if (j.contains("event")) events[j["event"]] = j;
  }
  ASSERT_GE(messages.size(), 3u) << server.Stderr();
  EXPECT_EQ(messages[0], "environment variable LOYALTY_SHRADS is not a loyaltyd option; ignored");
  EXPECT_NE(server.Stderr().find("started: registers on 127.0.0.1:"), std::string::npos);
  EXPECT_EQ(messages.back(), "stopped; bye");
  // What a log pipeline filters on, as fields and not only in "msg".
  ASSERT_TRUE(events.count("start")) << server.Stderr();
  EXPECT_TRUE(events["start"]["commit"].is_string());
  EXPECT_TRUE(events["start"]["rules_version"].is_string());
  ASSERT_TRUE(events.count("drain")) << server.Stderr();
  EXPECT_EQ(events["drain"]["reason"], "SIGTERM");
  EXPECT_EQ(events["stop"]["msg"], "stopped; bye");
}

// Text lines are for people: the time carries its zone.
TEST(ConfigTest, TextLogTimesCarryTheirZone) {
  TempDir dir;
  ServerProcess server({LOYALTYD_PATH, "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0",
                        "--data-dir", dir.Sub("db")},
                       {}, dir.Sub("text.stderr"));
  ASSERT_TRUE(server.ok()) << server.Stderr();
  EXPECT_EQ(server.StopWith(SIGTERM), 0);
  const std::regex stamp(
      R"(^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{2}:\d{2} \w+ loyaltyd: )");
  std::istringstream lines(server.Stderr());
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) {
    EXPECT_TRUE(std::regex_search(line, stamp)) << line;
    n += 1;
  }
  EXPECT_GE(n, 2);
}

}  // namespace
}  // namespace loyalty
