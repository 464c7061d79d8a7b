#include "tools/loyalty/redis_lookup.h"

#include <algorithm>
#include <iostream>

#include "adapters/redis/reader.h"
#include "engine/customer_state.h"
#include "tools/loyalty/render.h"

namespace loyalty::cli {
namespace {

// The snapshot's JSON arrays (adapters/redis/README.md); an offer whose
// fields are not what the README says is left out rather than failing the lookup.
void AddHintsAndOffers(const redis::Snapshot& s, v1::Profile& p) {
  const auto hints = nlohmann::json::parse(s.greeting_hints, nullptr, false);
  for (const auto& h : hints.is_array() ? hints : nlohmann::json::array()) {
    if (h.is_string()) p.add_greeting_hints(h.get<std::string>());
  }
  const auto offers = nlohmann::json::parse(s.offers, nullptr, false);
  for (const auto& o : offers.is_array() ? offers : nlohmann::json::array()) {
    v1::Offer w;
    try {
      w.set_offer_id(o.at("offer_id").get<std::string>());
      w.set_name(o.value("name", ""));
      w.set_reward(o.value("reward", ""));
      w.set_valid_until_ms(o.value("valid_until_ms", int64_t{0}));
      w.set_early_access(o.value("early_access", false));
    } catch (const nlohmann::json::exception&) {
      continue;
    }
    *p.add_offers() = std::move(w);
  }
}

// As the server answers a lookup (wire::EncodeProfile): the other cards masked.
v1::Profile ToProfile(const redis::Snapshot& s, const std::string& card) {
  v1::Profile p;
  const bool id_is_other_card = s.customer_id != card && std::find(s.cards.begin(), s.cards.end(),
                                                                   s.customer_id) != s.cards.end();
  p.set_customer_id(id_is_other_card ? MaskCard(s.customer_id) : s.customer_id);
  for (const std::string& c : s.cards) p.add_cards(c == card ? c : MaskCard(c));
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
  AddHintsAndOffers(s, p);
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
  *reply.mutable_profile() = ToProfile(**snapshot, l.card);
  Print(l, reply, &**snapshot);
  return ExitCodeFor(reply);
}

}  // namespace loyalty::cli
