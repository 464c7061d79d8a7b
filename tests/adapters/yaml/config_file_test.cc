#include "adapters/yaml/config_file.h"

#include <gtest/gtest.h>

#include <fstream>

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

}  // namespace
}  // namespace loyalty::config_file
