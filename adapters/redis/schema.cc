#include "adapters/redis/schema.h"

#include <charconv>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

namespace loyalty::redis {
namespace {

// The int64 fields, by name, in the order they are written.
struct IntField {
  const char* name;
  int64_t Snapshot::*member;
};
constexpr IntField kIntFields[] = {
    {"balance", &Snapshot::balance},
    {"spendable", &Snapshot::spendable},
    {"pending", &Snapshot::pending},
    {"lifetime", &Snapshot::lifetime},
    {"next_expiry_points", &Snapshot::next_expiry_points},
    {"next_expiry_ms", &Snapshot::next_expiry_ms},
    {"visits", &Snapshot::visits},
    {"spend_minor", &Snapshot::spend_minor},
    {"first_purchase_ms", &Snapshot::first_purchase_ms},
    {"last_purchase_ms", &Snapshot::last_purchase_ms},
    {"enrolled_at_ms", &Snapshot::enrolled_at_ms},
    {"as_of_ms", &Snapshot::as_of_ms},
};

std::string FormatDate(const std::optional<Date>& d) {
  if (!d) return "";
  char buf[16];
  if (d->year == 0) {
    std::snprintf(buf, sizeof buf, "--%02d-%02d", d->month, d->day);
  } else {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d->year, d->month, d->day);
  }
  return buf;
}

// Card ids are printable ASCII without spaces (engine/validate), so a space
// separates them safely.
std::string JoinCards(const std::vector<std::string>& cards) {
  std::string out;
  for (const std::string& c : cards) out += (out.empty() ? "" : " ") + c;
  return out;
}

std::vector<std::string> SplitCards(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

template <typename T>
bool ParseNumber(const std::string& text, T* out) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, *out);
  return ec == std::errc() && ptr == end && !text.empty();
}

}  // namespace

Snapshot MakeSnapshot(const CustomerState& state, TimeMs now_ms) {
  return MakeSnapshot(ViewProfile(state, now_ms), now_ms);
}

Snapshot MakeSnapshot(const Profile& p, TimeMs now_ms) {
  Snapshot s;
  s.customer_id = p.state.customer_id;
  s.cards = p.state.cards;
  s.tier = p.state.tier;
  s.balance = p.balances.balance;
  s.spendable = p.balances.spendable;
  s.pending = p.balances.pending;
  s.lifetime = p.balances.lifetime;
  s.next_expiry_points = p.next_expiry.points;
  s.next_expiry_ms = p.next_expiry.at_ms;
  s.visits = p.state.visits;
  s.spend_minor = p.state.spend_minor;
  s.first_purchase_ms = p.state.first_purchase_ms;
  s.last_purchase_ms = p.state.last_purchase_ms;
  s.enrolled_at_ms = p.state.enrolled_at_ms;
  s.birthday = FormatDate(p.state.birthday);
  s.version = p.state.version;
  s.as_of_ms = now_ms;
  nlohmann::json offers = nlohmann::json::array();
  for (const OfferShown& o : p.offers) {
    offers.push_back({{"offer_id", o.offer_id},
                      {"name", o.name},
                      {"reward", o.reward},
                      {"valid_until_ms", o.valid_until_ms},
                      {"early_access", o.early_access}});
  }
  s.offers = offers.dump();
  s.greeting_hints = nlohmann::json(p.hints).dump();
  return s;
}

std::vector<std::pair<std::string, std::string>> SnapshotFields(const Snapshot& s) {
  std::vector<std::pair<std::string, std::string>> f = {
      {"schema", std::to_string(kSchemaVersion)},
      {"customer_id", s.customer_id},
      {"cards", JoinCards(s.cards)},
      {"tier", s.tier},
      {"version", std::to_string(s.version)},
      {"birthday", s.birthday},
      {"offers", s.offers},
      {"greeting_hints", s.greeting_hints},
  };
  for (const IntField& i : kIntFields) f.emplace_back(i.name, std::to_string(s.*i.member));
  return f;
}

Result<Snapshot> ParseSnapshot(const std::vector<std::pair<std::string, std::string>>& fields) {
  const std::map<std::string, std::string> m(fields.begin(), fields.end());
  auto get = [&m](const char* name) {
    auto it = m.find(name);
    return it == m.end() ? std::string() : it->second;
  };
  int schema = 0;
  if (!ParseNumber(get("schema"), &schema) || schema < 1 || schema > kSchemaVersion) {
    return Status::Corruption("snapshot field 'schema' is '" + get("schema") +
                              "'; this build reads 1.." + std::to_string(kSchemaVersion));
  }
  Snapshot s;
  s.customer_id = get("customer_id");
  s.cards = SplitCards(get("cards"));
  s.tier = get("tier");
  s.birthday = get("birthday");
  s.offers = get("offers");
  s.greeting_hints = get("greeting_hints");
  if (!ParseNumber(get("version"), &s.version)) {
    return Status::Corruption("snapshot field 'version' is not a number");
  }
  for (const IntField& i : kIntFields) {
    if (!ParseNumber(get(i.name), &(s.*i.member))) {
      return Status::Corruption(std::string("snapshot field '") + i.name + "' is not a number");
    }
  }
  return s;
}

}  // namespace loyalty::redis
