#include "adapters/net/framing.h"

#include <gtest/gtest.h>

namespace loyalty::net {
namespace {

TEST(FramingTest, AFrameRoundTripsThroughItsLengthPrefix) {
  std::string out;
  AppendFrame(out, std::string(300, 'x'));  // 300 needs a two-byte varint
  const FrameHeader h = ParseFrameHeader(out, 65536);
  EXPECT_EQ(h.status, FrameStatus::kComplete);
  EXPECT_EQ(h.prefix_bytes, 2u);
  EXPECT_EQ(h.body_bytes, 300u);
}

TEST(FramingTest, WaitsForTheRestOfAPrefixOrABody) {
  std::string out;
  AppendFrame(out, std::string(300, 'x'));
  EXPECT_EQ(ParseFrameHeader(out.substr(0, 1), 65536).status, FrameStatus::kNeedMore);
  EXPECT_EQ(ParseFrameHeader(out.substr(0, 100), 65536).status, FrameStatus::kNeedMore);
  EXPECT_EQ(ParseFrameHeader("", 65536).status, FrameStatus::kNeedMore);
}

TEST(FramingTest, RefusesALengthBeyondTheLimitBeforeTheBodyArrives) {
  std::string out;
  AppendFrame(out, std::string(70000, 'x'));
  const FrameHeader h = ParseFrameHeader(out.substr(0, 3), 65536);
  EXPECT_EQ(h.status, FrameStatus::kOversized);
  EXPECT_EQ(h.body_bytes, 70000u);
}

TEST(FramingTest, RefusesAPrefixThatNeverEnds) {
  EXPECT_EQ(ParseFrameHeader("\xff\xff\xff\xff\xff\x01", 65536).status, FrameStatus::kMalformed);
  EXPECT_EQ(ParseFrameHeader("\xff\xff\xff\xff\xff", 65536).status, FrameStatus::kMalformed);
}

TEST(FramingTest, SplitsHostAndPort) {
  std::string host;
  uint16_t port = 0;
  EXPECT_TRUE(SplitHostPort("127.0.0.1:7070", &host, &port));
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 7070);
  EXPECT_TRUE(SplitHostPort("[::1]:0", &host, &port));
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 0);
  EXPECT_FALSE(SplitHostPort("127.0.0.1", &host, &port));
  EXPECT_FALSE(SplitHostPort("h:99999", &host, &port));
  EXPECT_FALSE(SplitHostPort(":80", &host, &port));
}

}  // namespace
}  // namespace loyalty::net
