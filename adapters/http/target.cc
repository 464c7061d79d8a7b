#include "adapters/http/target.h"

#include <string>

namespace loyalty::http {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string Decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() + 0 && HexValue(s[i + 1]) >= 0 &&
               HexValue(s[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

std::optional<Response> ReadTarget(std::string_view target, Request& r) {
  const std::size_t q = target.find('?');
  r.path = Decode(target.substr(0, q));
  if (q != std::string_view::npos) {
    std::string_view rest = target.substr(q + 1);
    while (!rest.empty()) {
      const std::size_t amp = rest.find('&');
      const std::string_view pair = rest.substr(0, amp);
      const std::size_t eq = pair.find('=');
      r.query[Decode(pair.substr(0, eq))] =
          eq == std::string_view::npos ? "" : Decode(pair.substr(eq + 1));
      rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    }
  }
  const std::string_view path = target.substr(0, q);
  if (path.find("%2F") != std::string_view::npos || path.find("%2f") != std::string_view::npos) {
    return JsonError(400, "ENCODED_SLASH",
                     "an encoded slash (%2F) in a path is refused: no card, version or report "
                     "name holds one");
  }
  return std::nullopt;
}

}  // namespace loyalty::http
