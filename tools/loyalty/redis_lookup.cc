#include "tools/loyalty/redis_lookup.h"

#include <iostream>

#include "adapters/redis/reader.h"
#include "tools/loyalty/render.h"

namespace loyalty::cli {
namespace {

v1::Profile ToProfile(const redis::Snapshot& s) {
  v1::Profile p;
  p.set_customer_id(s.customer_id);
  for (const std::string& c : s.cards) p.add_cards(c);
  p.set_enrolled_at_ms(s.enrolled_at_ms);
  p.set_birthday(s.birthday);
  v1::Balances* b = p.mutable_balances();
  b->set_balance(s.balance);
  b->set_spendable(s.spendable);
  b->set_pending(s.pending);
  b->set_lifetime(s.lifetime);
  p.set_tier(s.tier);
  p.set_next_expiry_points(s.next_expiry_points);
  p.set_next_expiry_ms(s.next_expiry_ms);
  p.set_visits(s.visits);
  p.set_spend_minor(s.spend_minor);
  p.set_last_purchase_ms(s.last_purchase_ms);
  p.set_version(s.version);
  return p;
}

void Print(const RedisLookup& l, const v1::Reply& reply, const redis::Snapshot* snapshot) {
  if (!l.json) {
    std::cout << ReplyToText(reply) << "\n";
    return;
  }
  nlohmann::json j = ReplyToJson(reply);
  j["source"] = "redis";
  if (snapshot != nullptr) j["profile"]["as_of_ms"] = snapshot->as_of_ms;
  std::cout << j.dump() << "\n";
}

}  // namespace

int LookupViaRedis(const RedisLookup& l) {
  auto endpoint = redis::ParseEndpoint(l.address);
  if (!endpoint.ok()) {
    std::cerr << "loyalty: --redis: " << endpoint.status().message() << "\n";
    return 2;
  }
  auto reader = redis::Reader::Open(*endpoint, redis::KeySchema(l.key_prefix), l.timeout_ms);
  auto snapshot = reader.ok() ? (*reader)->ByCard(l.card)
                              : Result<std::optional<redis::Snapshot>>(reader.status());
  if (!snapshot.ok()) {
    std::cerr << "loyalty: " << snapshot.status().message() << "\n";
    return 3;
  }
  v1::Reply reply;
  if (!*snapshot) {
    v1::Error* e = reply.mutable_error();
    e->set_code(v1::UNKNOWN_CARD);
    e->set_field("card");
    e->set_message("no snapshot in Redis for card " + l.card +
                   " (unknown card, expired from the cache, or not published yet)");
    Print(l, reply, nullptr);
    return ExitCodeFor(reply);
  }
  *reply.mutable_profile() = ToProfile(**snapshot);
  Print(l, reply, &**snapshot);
  return ExitCodeFor(reply);
}

}  // namespace loyalty::cli
