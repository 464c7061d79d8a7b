// Who a card or a customer id may become: the checks before a new customer,
// or a replacement card, is decided (Shard::ProcessChange).
#include "engine/limits.h"
#include "engine/runtime/shard.h"

namespace loyalty {

// A card replaced or erased is never enrolled again (a purchase would).
bool Shard::CheckNotRetired(const Work& work, const std::string& card, Owed& owed) {
  // Retired by a group of this shard, maybe not committed yet: the card
  // itself, or its customer is held as nobody's (erased), or the card was
  // routed to a customer who no longer holds it.
  const auto held = by_card_.find(work.key);
  Result<bool> retired = (held != by_card_.end() && held->second == nullptr) ||
                         retiring_.count(card) > 0 || (card == work.event.card && work.key != card);
  if (!*retired) retired = ctx_.store.IsCardRetired(card);
  if (!retired.ok()) {
    owed.answer = CannotRead(work.request_id, retired.status());
    return false;
  }
  if (!*retired) return true;
  owed.answer =
      Answer::Error(work.request_id, AnswerKind::kUnknownCard, "card",
                    "card " + card + " was replaced or withdrawn: it cannot be used again");
  return false;
}

// Claims `id` for this decision, so no other shard enrols it meanwhile, and
// reads whether the store has a customer of that id (`taken`). False, with
// `owed` saying why, when another shard holds the claim or the read fails.
bool Shard::ClaimNewId(const Work& work, const std::string& id, Owed& owed, bool* taken) {
  // \x01 cannot occur in an id (printable ASCII), so no txn id collides.
  const std::string claim = "\x01customer:" + id;
  if (!ctx_.claims.TryClaim(claim)) {
    owed.answer = Answer::Error(work.request_id, AnswerKind::kUnavailable, "",
                                "customer " + id + " is being enrolled right now; retry");
    return false;
  }
  owed.extra_claim = claim;
  auto existing = ctx_.store.GetCustomer(id);
  if (!existing.ok()) {
    owed.answer = CannotRead(work.request_id, existing.status());
    return false;
  }
  *taken = existing->has_value();
  return true;
}

// A replacement card must be new: nobody's card, never retired, not being
// enrolled right now on its own shard (claimed like a new customer's id).
bool Shard::CheckNewCard(const Work& work, Owed& owed) {
  const std::string& card = work.event.new_card;
  if (!CheckNotRetired(work, card, owed)) {
    owed.answer.field = "new_card";
    return false;
  }
  bool taken = false;
  if (!ClaimNewId(work, card, owed, &taken)) return false;
  auto owner = ctx_.store.GetCustomerIdForCard(card);
  if (!owner.ok()) {
    owed.answer = CannotRead(work.request_id, owner.status());
    return false;
  }
  if (taken || owner->has_value()) {
    owed.answer = Answer::Error(work.request_id, AnswerKind::kInvalid, "new_card",
                                "card " + card + " already belongs to a customer");
    return false;
  }
  return true;
}

// A card linked to `customer` (kLinkCard) must be nobody's, like a
// replacement, and the customer below the cards limit. The same link again
// is no news: Decide answers it as already enrolled.
bool Shard::CheckLink(const Work& work, const CustomerState& customer, Owed& owed) {
  const std::vector<std::string>& cards = customer.cards;
  if (HoldsCard(customer, work.event.new_card)) return true;
  if (cards.size() >= limits::kCardsPerCustomerMax) {
    owed.answer = Answer::Error(
        work.request_id, AnswerKind::kInvalid, "new_card",
        "the customer holds " + std::to_string(cards.size()) +
            " cards, the most one customer may; replace one (POST /v1/customers/{card}/replace)");
    return false;
  }
  if (CheckNewCard(work, owed)) return true;
  if (owed.answer.field == "new_card") owed.answer.field = "card";  // Enroll's card on the wire
  return false;
}

// A new card becomes customer `customer_id` (or the card number): refuse an
// id that already belongs to another card, even one being enrolled right now
// on another shard. False when refused (`owed` says why).
bool Shard::CheckNewCustomerId(const Work& work, Owed& owed) {
  const Event& e = work.event;
  const std::string id = e.customer_id.empty() ? e.card : e.customer_id;
  bool taken = false;
  if (!ClaimNewId(work, id, owed, &taken)) return false;
  if (taken || new_customers_.count(id) > 0) {  // in the store, or in flight
    owed.answer = Answer::Error(work.request_id, AnswerKind::kInvalid,
                                e.customer_id.empty() ? "card" : "customer_id",
                                "customer id " + id + " already belongs to another card");
    return false;
  }
  new_customers_[id] = deciding_->seq;
  staged_keys_.back().customers.push_back(id);
  return true;
}

}  // namespace loyalty
