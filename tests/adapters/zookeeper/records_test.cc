#include "adapters/zookeeper/records.h"

#include <gtest/gtest.h>

namespace loyalty::zk {
namespace {

TEST(ZkRecordsTest, AMemberRoundTrips) {
  const Member m{"node-1", "10.0.0.5:7070"};
  auto back = DecodeMember(EncodeMember(m));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, m);
}

TEST(ZkRecordsTest, AnEpochRoundTripsWithAndWithoutAHolder) {
  auto none = DecodeEpoch(EncodeEpoch({}));
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->epoch, 0u);
  EXPECT_FALSE(none->holder);
  auto held = DecodeEpoch(EncodeEpoch({41, Member{"b", "127.0.0.1:7070"}}));
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  EXPECT_EQ(held->epoch, 41u);
  EXPECT_EQ(held->holder->node_id, "b");
  EXPECT_EQ(EncodeEpoch({41, Member{"b", "h:1"}}), "41\nb\nh:1");
}

TEST(ZkRecordsTest, AnEpochThatIsNotANumberIsCorruption) {
  for (const char* text : {"", "x", "-1", "12a\nb\nh:1", "7\nonly-a-node"}) {
    auto r = DecodeEpoch(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << text;
  }
}

TEST(ZkRecordsTest, BadMembersAreRefusedNamingTheField) {
  EXPECT_NE(ValidateMember({"", "h:1"}).message().find("node id: empty"), std::string::npos);
  EXPECT_NE(ValidateMember({"a b", "h:1"}).message().find("node id 'a b'"), std::string::npos);
  EXPECT_NE(ValidateMember({std::string(65, 'a'), "h:1"}).message().find("longer than 64"),
            std::string::npos);
  EXPECT_NE(ValidateMember({"a", ""}).message().find("address: empty"), std::string::npos);
  EXPECT_NE(ValidateMember({"a", "h:1\nx"}).message().find("address"), std::string::npos);
  EXPECT_TRUE(ValidateMember({"node_2.eu-west", "[::1]:7070"}).ok());
}

TEST(ZkRecordsTest, MembersAreOrderedBySequenceNotByName) {
  // Each session has its own prefix, so names alone do not sort by age.
  const auto ordered = OrderBySequence(
      {"n-ff-0000000012", "n-1-0000000013", "n-a-0000000002", "stray", "n-b-00000000x1"});
  ASSERT_EQ(ordered.size(), 3u);
  EXPECT_EQ(ordered[0], "n-a-0000000002");
  EXPECT_EQ(ordered[1], "n-ff-0000000012");
  EXPECT_EQ(ordered[2], "n-1-0000000013");
  EXPECT_EQ(SequenceOf("n-1-0000000013"), 13u);
  EXPECT_FALSE(SequenceOf("123"));
}

TEST(ZkRecordsTest, RootsMustBeAbsolutePathsWithoutEmptySegments) {
  EXPECT_TRUE(ValidateRoot("/loyalty").ok());
  EXPECT_TRUE(ValidateRoot("/chains/acme").ok());
  for (const char* bad : {"", "/", "loyalty", "/loyalty/", "/a//b", "/a b"}) {
    EXPECT_EQ(ValidateRoot(bad).code(), StatusCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace loyalty::zk
