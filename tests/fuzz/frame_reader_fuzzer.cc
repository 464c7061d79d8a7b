// Fuzz target: the frame reader. The input is what a client might send on a
// register connection: any bytes, usually several frames in a row. It is
// read the way the server reads it (adapters/net/server.cc ProcessFrames):
// a header, then the body as a loyalty.v1.Request, frame after frame, until
// more bytes are needed or the framing breaks.
//
// Beyond "no crash, no sanitizer report", it checks the header's contract:
// a complete frame lies within the bytes given and within the limit; the
// length agrees with protobuf's own varint reader; a frame is never
// complete before its last byte has arrived; a parsed request framed again
// reads back the same.
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/stubs/logging.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "adapters/net/framing.h"
#include "engine/check.h"
#include "engine/limits.h"
#include "loyalty/v1/wire.pb.h"

namespace loyalty::net {
namespace {

// A body limit small enough that the seeds reach it too.
constexpr std::size_t kSmallBodyMax = 16;

// The length prefix as protobuf reads a varint, independent of framing.cc.
uint64_t ProtobufVarint(std::string_view prefix) {
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(prefix.data()),
                                            static_cast<int>(prefix.size()));
  uint64_t value = 0;
  LOYALTY_CHECK(in.ReadVarint64(&value));
  LOYALTY_CHECK(in.CurrentPosition() == static_cast<int>(prefix.size()));
  return value;
}

void CheckHeader(std::string_view buffer, std::size_t body_max, const FrameHeader& h) {
  switch (h.status) {
    case FrameStatus::kComplete:
      LOYALTY_CHECK(h.prefix_bytes >= 1 && h.prefix_bytes <= limits::kFrameLengthPrefixBytesMax);
      LOYALTY_CHECK(h.body_bytes <= body_max);
      LOYALTY_CHECK(h.prefix_bytes + h.body_bytes <= buffer.size());
      LOYALTY_CHECK(ProtobufVarint(buffer.substr(0, h.prefix_bytes)) == h.body_bytes);
      return;
    case FrameStatus::kOversized:
      LOYALTY_CHECK(h.prefix_bytes >= 1 && h.prefix_bytes <= limits::kFrameLengthPrefixBytesMax);
      LOYALTY_CHECK(h.body_bytes > body_max);
      LOYALTY_CHECK(ProtobufVarint(buffer.substr(0, h.prefix_bytes)) == h.body_bytes);
      return;
    case FrameStatus::kMalformed:
      LOYALTY_CHECK(buffer.size() >= limits::kFrameLengthPrefixBytesMax);
      for (std::size_t i = 0; i < limits::kFrameLengthPrefixBytesMax; ++i) {
        LOYALTY_CHECK((static_cast<unsigned char>(buffer[i]) & 0x80) != 0);
      }
      return;
    case FrameStatus::kNeedMore:
      // Either the prefix is still open, or the body is not all there yet.
      if (h.prefix_bytes == 0) {
        LOYALTY_CHECK(buffer.size() < limits::kFrameLengthPrefixBytesMax);
      } else {
        LOYALTY_CHECK(h.body_bytes <= body_max);
        LOYALTY_CHECK(h.prefix_bytes + h.body_bytes > buffer.size());
      }
      return;
  }
  LOYALTY_CHECK(false && "unknown FrameStatus");
}

FrameHeader ParseAndCheck(std::string_view buffer, std::size_t body_max) {
  const FrameHeader h = ParseFrameHeader(buffer, body_max);
  CheckHeader(buffer, body_max, h);
  return h;
}

// A frame that arrives a byte short is never taken for complete.
void CheckOneByteShort(std::string_view buffer, const FrameHeader& h) {
  const std::size_t frame_bytes = h.prefix_bytes + h.body_bytes;
  const FrameHeader shorter =
      ParseAndCheck(buffer.substr(0, frame_bytes - 1), limits::kFrameBytesMax);
  LOYALTY_CHECK(shorter.status == FrameStatus::kNeedMore);
}

// What the server would pass on, framed again as a client frames it, reads
// back as the same request.
void CheckRoundTrip(const v1::Request& request) {
  const std::string body = request.SerializeAsString();
  std::string framed;
  AppendFrame(framed, body);
  const FrameHeader h = ParseAndCheck(framed, limits::kFrameBytesMax);
  if (body.size() > limits::kFrameBytesMax) {
    LOYALTY_CHECK(h.status == FrameStatus::kOversized);
    return;
  }
  LOYALTY_CHECK(h.status == FrameStatus::kComplete);
  LOYALTY_CHECK(h.prefix_bytes + h.body_bytes == framed.size());
  v1::Request again;
  LOYALTY_CHECK(
      again.ParseFromArray(framed.data() + h.prefix_bytes, static_cast<int>(h.body_bytes)));
  LOYALTY_CHECK(again.SerializeAsString() == body);
}

}  // namespace
}  // namespace loyalty::net

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);  // invalid UTF-8 would log each time
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace loyalty;
  using namespace loyalty::net;
  const std::string_view stream(reinterpret_cast<const char*>(data), size);
  ParseAndCheck(stream, kSmallBodyMax);
  std::size_t pos = 0;
  while (pos < stream.size()) {
    const std::string_view view = stream.substr(pos);
    const FrameHeader h = ParseAndCheck(view, limits::kFrameBytesMax);
    if (h.status != FrameStatus::kComplete) break;
    CheckOneByteShort(view, h);
    v1::Request request;
    if (!request.ParseFromArray(view.data() + h.prefix_bytes, static_cast<int>(h.body_bytes))) {
      break;  // the server answers MALFORMED_FRAME and closes
    }
    CheckRoundTrip(request);
    pos += h.prefix_bytes + h.body_bytes;
  }
  return 0;
}
