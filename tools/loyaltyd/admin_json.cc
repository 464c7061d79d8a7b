#include "tools/loyaltyd/admin_json.h"

#include <set>
#include <vector>

namespace loyalty::admin {

std::optional<http::Response> ParseBody(const std::string& body, Json* out) {
  std::vector<std::set<std::string>> keys;  // one set per object being read
  std::string key;                          // the latest key, for the message
  std::string problem;                      // the first one
  auto check = [&](int, Json::parse_event_t event, Json& parsed) {
    if (!problem.empty()) return true;
    switch (event) {
      case Json::parse_event_t::object_start: keys.emplace_back(); break;
      case Json::parse_event_t::object_end: keys.pop_back(); break;
      case Json::parse_event_t::key:
        key = parsed.get<std::string>();
        if (!keys.empty() && !keys.back().insert(key).second) {
          problem = "the key \"" + key + "\" is given twice in one object";
        }
        break;
      case Json::parse_event_t::value:
        if (parsed.is_number_float() ||
            (parsed.is_number_unsigned() &&
             parsed.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))) {
          problem = "the number " + parsed.dump() + (key.empty() ? "" : " (at \"" + key + "\")") +
                    " is not a whole number from -9223372036854775808 to 9223372036854775807";
        }
        break;
      default: break;
    }
    return true;
  };
  Json j = Json::parse(body, check, false);
  if (j.is_discarded()) return http::JsonError(400, "BAD_JSON", "the body is not valid JSON");
  if (!problem.empty()) return http::JsonError(400, "BAD_JSON", problem);
  *out = std::move(j);
  return std::nullopt;
}

}  // namespace loyalty::admin
