#include "adapters/yaml/config_file.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "tests/support/temp_dir.h"

namespace loyalty::config_file {
namespace {

std::string Write(const testing::TempDir& dir, const std::string& text) {
  const std::string path = dir.Sub("loyaltyd.yaml");
  std::ofstream(path) << text;
  return path;
}

TEST(ConfigFileTest, ReadsOptionsAndKeepsDefaultsForTheRest) {
  testing::TempDir dir;
  auto c = LoadFile(Write(dir, "listen: 127.0.0.1:9000\nshards: 4\ndurability: async\n"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->listen, "127.0.0.1:9000");
  EXPECT_EQ(c->shards, 4u);
  EXPECT_EQ(c->durability, "async");
  EXPECT_EQ(c->data_dir, "./var");
}

TEST(ConfigFileTest, NamesTheOptionAndTheReason) {
  testing::TempDir dir;
  auto c = LoadFile(Write(dir, "listen: 127.0.0.1:9000\nshards: 0\n"));
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find(":2: shards must be a whole number from 1 to 64"),
            std::string::npos)
      << c.status().message();
  c = LoadFile(Write(dir, "listn: x\n"));
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("listn is not a known option"), std::string::npos);
  c = LoadFile(Write(dir, "durability: maybe\n"));
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("durability must be sync or async"), std::string::npos);
}

TEST(ConfigFileTest, AMissingFileIsAClearError) {
  auto c = LoadFile("/nonexistent/loyaltyd.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("cannot be read"), std::string::npos);
}

TEST(ConfigFileTest, TheEnvironmentOverlaysTheFileAndUnknownVariablesAreReported) {
  Config c;
  c.shards = 3;
  std::vector<std::string> unknown;
  ASSERT_TRUE(
      ApplyEnvironment(
          c, {"PATH=/bin", "LOYALTY_SHARDS=5", "LOYALTY_ADMIN_LISTEN=off", "LOYALTY_CRASH_KILLS=3"},
          &unknown)
          .ok());
  EXPECT_EQ(c.shards, 5u);
  EXPECT_EQ(c.admin_listen, "off");
  EXPECT_EQ(unknown, std::vector<std::string>{"LOYALTY_CRASH_KILLS"});
  EXPECT_EQ(EnvironmentName("redis_ttl_s"), "LOYALTY_REDIS_TTL_S");
}

TEST(ConfigFileTest, ABadValueChangesNothing) {
  Config c;
  Status s = Set(c, "shards", "99", "--shards 99");
  EXPECT_EQ(s.message(), "--shards 99: shards must be a whole number from 1 to 64");
  EXPECT_EQ(c.shards, 2u);
  s = Set(c, "admin_tokens", "a:viewer:x,broken", "LOYALTY_ADMIN_TOKENS");
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(c.admin_tokens.empty());
}

TEST(ConfigFileTest, TokensComeFromTheFileAndAreCheckedTogether) {
  testing::TempDir dir;
  auto c = LoadFile(Write(dir,
                          "admin_tokens:\n"
                          "  - { name: ann, role: editor, token: 0123456789abcdef }\n"
                          "  - { name: bob, role: admin, token: 0123456789abcdef }\n"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->admin_tokens.size(), 2u);
  EXPECT_EQ(c->admin_tokens[0], (AdminToken{"ann", "editor", "0123456789abcdef"}));
  EXPECT_EQ(Validate(*c).message(), "admin_tokens[1].token is the same as another token's");
  auto bad = LoadFile(Write(dir, "admin_tokens:\n  - { name: a, rol: admin }\n"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find(":2: admin_tokens[0].rol is not a known key"),
            std::string::npos)
      << bad.status().message();
}

// Found by config_file_fuzzer: Print wrapped values in quotes without
// escaping them, so a data_dir with a quote or a backslash printed as YAML
// that did not parse, or parsed to another path.
TEST(ConfigFileTest, PrintedValuesWithQuotesAndBackslashesParseBackTheSame) {
  auto c = Parse(
      "data_dir: 'a \"quoted\" dir'\nrules: C:\\rules\\x.yaml\n"
      "admin_tokens: [{name: \"o'\\\"b\", role: admin, token: x}]\n",
      "loyaltyd.yaml");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->data_dir, "a \"quoted\" dir");
  EXPECT_EQ(c->rules, "C:\\rules\\x.yaml");
  auto again = Parse(Print(*c), "printed");
  ASSERT_TRUE(again.ok()) << again.status().message() << "\n" << Print(*c);
  EXPECT_EQ(again->data_dir, c->data_dir);
  EXPECT_EQ(again->rules, c->rules);
  EXPECT_EQ(again->admin_tokens.at(0).name, "o'\"b");
  EXPECT_EQ(Print(*again), Print(*c));
}

TEST(ConfigFileTest, PrintListsEveryOptionAndNoSecret) {
  Config c;
  c.admin_tokens.push_back({"ann", "editor", "0123456789abcdef"});
  const std::string printed = Print(c);
  EXPECT_NE(printed.find("listen: \"127.0.0.1:7070\""), std::string::npos);
  EXPECT_NE(printed.find("admin_listen: \"127.0.0.1:7071\""), std::string::npos);
  EXPECT_EQ(printed.find("0123456789abcdef"), std::string::npos);
}

// The example file is the operator's reference: it loads as it is and names
// every option there is.
TEST(ConfigFileTest, TheExampleFileListsEveryOptionWithItsDefault) {
  const std::string path = std::string(SOURCE_DIR) + "/deploy/loyaltyd.example.yaml";
  auto example = LoadFile(path);
  ASSERT_TRUE(example.ok()) << example.status().ToString();
  Config defaults;
  defaults.rules = "deploy/rules.example.yaml";
  EXPECT_EQ(Print(*example), Print(defaults));
  std::ifstream in(path);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream printed(Print(defaults));
  std::string line;
  std::getline(printed, line);  // the heading
  while (std::getline(printed, line)) {
    if (line.rfind("  ", 0) == 0) continue;
    const std::string key = line.substr(0, line.find(':'));
    EXPECT_NE(text.find("\n" + key + ":"), std::string::npos) << key << " is not in " << path;
  }
}

}  // namespace
}  // namespace loyalty::config_file
