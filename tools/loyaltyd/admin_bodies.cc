#include "tools/loyaltyd/admin_bodies.h"

#include <nlohmann/json.hpp>

namespace loyalty::admin {

using Json = nlohmann::json;

std::optional<std::string> ReadAdjust(const std::string& body, v1::Adjust* a) {
  const Json j = Json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return "the body must be a JSON object";
  for (const auto& [key, value] : j.items()) {
    if (key == "transaction_id" || key == "reason" || key == "set_tier") {
      if (!value.is_string()) return key + " must be a string";
    } else if (key == "points") {
      if (!value.is_number_integer()) return "points must be a whole number (negative: a debit)";
    } else {
      return key + " is not a field (transaction_id, points, reason, set_tier)";
    }
  }
  if (!j.contains("transaction_id")) return "transaction_id is missing (the retry key)";
  if (!j.contains("reason")) return "reason is missing (a reason code, e.g. goodwill)";
  a->set_transaction_id(j["transaction_id"]);
  a->set_reason(j["reason"]);
  a->set_points(j.value("points", int64_t{0}));
  a->set_set_tier(j.value("set_tier", std::string()));
  return std::nullopt;
}

std::optional<std::string> ReadActivate(const std::string& body, ActivateBody* out) {
  if (body.empty()) return std::nullopt;
  const Json j = Json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return "the body must be empty (activate now) or a JSON object";
  }
  for (const auto& [key, value] : j.items()) {
    if (key == "at_ms") {
      if (!value.is_number_integer()) return "at_ms must be milliseconds since the epoch";
      out->at_ms = value.get<TimeMs>();
    } else if (key == "tier_migration") {
      if (value != "requalify") {
        return "tier_migration must be \"requalify\": customers of a dropped tier start over "
               "from the lowest tier and qualify again on their last 12 months";
      }
      out->requalify = true;
    } else {
      return key + " is not a field (at_ms, tier_migration)";
    }
  }
  return std::nullopt;
}

std::optional<std::string> ReadSubmit(const std::string& body, std::string* note) {
  if (body.empty()) return std::nullopt;
  const Json j = Json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object() || (j.size() == 1 && !j.contains("note")) ||
      j.size() > 1 || (j.contains("note") && !j["note"].is_string())) {
    return "the body must be empty or {\"note\": TEXT}";
  }
  *note = j.value("note", std::string());
  return std::nullopt;
}

std::optional<std::string> ReadRollback(const std::string& body, uint32_t* to) {
  if (body.empty()) return std::nullopt;
  const Json j = Json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.size() != 1 || !j.contains("to") ||
      !j["to"].is_number_unsigned() || j["to"].get<uint64_t>() > UINT32_MAX) {
    return "the body must be empty (the version the one in force replaced) or {\"to\": VERSION}";
  }
  *to = j["to"].get<uint32_t>();
  return std::nullopt;
}

std::optional<std::string> ReadSignIn(const std::string& body, std::string* token) {
  const Json j = Json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("token") || !j["token"].is_string()) {
    return "the body must be {\"token\": YOUR_ADMIN_TOKEN}";
  }
  *token = j["token"].get<std::string>();
  return std::nullopt;
}

}  // namespace loyalty::admin
