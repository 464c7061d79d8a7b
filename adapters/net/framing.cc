#include "adapters/net/framing.h"

#include <charconv>

#include "engine/limits.h"

namespace loyalty::net {

FrameHeader ParseFrameHeader(std::string_view buffer, std::size_t body_max) {
  FrameHeader h;
  uint64_t length = 0;
  for (std::size_t i = 0; i < buffer.size(); ++i) {
    if (i == limits::kFrameLengthPrefixBytesMax) {
      h.status = FrameStatus::kMalformed;
      return h;
    }
    const auto byte = static_cast<unsigned char>(buffer[i]);
    length |= static_cast<uint64_t>(byte & 0x7f) << (7 * i);
    if ((byte & 0x80) != 0) continue;
    h.prefix_bytes = i + 1;
    h.body_bytes = static_cast<std::size_t>(length);
    if (length > body_max) {
      h.status = FrameStatus::kOversized;
    } else if (buffer.size() - h.prefix_bytes >= h.body_bytes) {
      h.status = FrameStatus::kComplete;
    }
    return h;
  }
  if (buffer.size() >= limits::kFrameLengthPrefixBytesMax) h.status = FrameStatus::kMalformed;
  return h;
}

void AppendFrame(std::string& out, std::string_view body) {
  uint64_t n = body.size();
  while (n >= 0x80) {
    out.push_back(static_cast<char>((n & 0x7f) | 0x80));
    n >>= 7;
  }
  out.push_back(static_cast<char>(n));
  out.append(body);
}

bool SplitHostPort(std::string_view text, std::string* host, uint16_t* port) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  std::string_view p = text.substr(colon + 1);
  unsigned value = 0;
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
  if (ec != std::errc() || end != p.data() + p.size() || p.empty() || value > 65535) return false;
  std::string_view h = text.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  *host = std::string(h);
  *port = static_cast<uint16_t>(value);
  return true;
}

}  // namespace loyalty::net
