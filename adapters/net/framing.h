// Delimited framing: a base-128 varint length, then that many bytes of one
// protobuf message (what Java's writeDelimitedTo and Go's protodelim speak).
// The length is parsed and checked against the limit before any buffer for
// the body is allocated.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace loyalty::net {

enum class FrameStatus {
  kNeedMore,   // the prefix or the body is not complete yet
  kComplete,   // prefix_bytes + body_bytes are in the buffer
  kOversized,  // the declared body is larger than the limit
  kMalformed,  // the prefix is not a varint of at most 5 bytes
};

struct FrameHeader {
  FrameStatus status = FrameStatus::kNeedMore;
  std::size_t prefix_bytes = 0;
  std::size_t body_bytes = 0;  // valid once the prefix is complete
};

// Looks at the start of `buffer` for one frame whose body may be at most
// `body_max` bytes.
FrameHeader ParseFrameHeader(std::string_view buffer, std::size_t body_max);

// Appends the varint length of `body` and `body` to `out`.
void AppendFrame(std::string& out, std::string_view body);

// Host and port from "HOST:PORT" (IPv4, a name, or IPv6 in brackets:
// "[::1]:7070" gives "::1"); false when malformed.
bool SplitHostPort(std::string_view text, std::string* host, uint16_t* port);

}  // namespace loyalty::net
