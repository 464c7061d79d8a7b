// Decide: the pure heart of the engine. Same inputs, same output; no I/O, no
// clock, no threads. The caller (a shard) loads the inputs, calls Decide,
// writes `effects` in one atomic batch, and replies only once that batch is
// durable.
//
// Idempotency (DESIGN.md §2 rule 4): when `prior` (the record stored under
// the event's transaction id) exists, Decide writes nothing: the same payload
// gives `replay` (send prior->reply byte for byte); another payload gives the
// kDuplicateDifferentPayload refusal.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/budget.h"
#include "engine/decision.h"
#include "engine/rfm.h"
#include "engine/rules.h"
#include "engine/signals.h"

namespace loyalty {

struct DecideInput {
  const Event& event;             // validated (validate.h)
  const CustomerState* customer;  // nullptr: the card is not enrolled
  const TxnRecord* prior;         // stored under event.transaction_id
  const TxnRecord* original;      // Return: the purchase it names; CancelRedeem: the redemption
  const RuleSet& rules;
  TimeMs now_ms;                         // the server's clock
  const BudgetsUsed* budgets = nullptr;  // what is used of the campaign budgets (budget.h);
                                         // nullptr: budgeted rules and offers give nothing
  const RfmQuantiles* rfm = nullptr;     // the latest population quantiles; nullptr: none yet
  // Merge: the customer of event.merged_card, who moves into `customer`
  // (the runtime checks both exist and differ).
  const CustomerState* merged = nullptr;
};

// Everything to write for one event, all or nothing.
struct Effects {
  std::optional<CustomerState> state;  // the customer's new state
  std::vector<LedgerEntry> ledger;
  std::optional<TxnRecord> txn;       // stored under event.transaction_id;
                                      // the caller fills txn->reply
  std::optional<TxnRecord> original;  // the returned purchase, updated
  bool link_card = false;             // store card -> customer (enrolment)
  std::string new_card;               // store this card -> customer too (a replacement, a link)
  // Merge: the customer merged away, emptied (merged_into set); their cards
  // (moved_cards) now lead to `state`.
  std::optional<CustomerState> merged_state;
  std::vector<std::string> moved_cards;
  // Cards never to be used again (replaced, erased): their links go, and a
  // later event with one is refused as unknown.
  std::vector<std::string> retired_cards;
  // Erasure: the customer's id before (state holds the pseudonym); the store
  // moves their ledger and transaction records under the new id.
  std::string erased_from;
  // What the decision takes from campaign budgets: the caller applies these
  // (all or none) before it stages the rest; empty for every refusal.
  std::vector<BudgetDraw> budget_draws;
};

struct DecideResult {
  Decision decision;
  Effects effects;
  bool replay = false;  // answer with prior->reply, write nothing
};

// Precondition: input.event.kind != kLookup (see ViewProfile).
DecideResult Decide(const DecideInput& input);

// The periodic sweep's work on one customer, as of `now_ms`: expires what is
// due and applies a due tier review, so balances and liability are right for
// customers who never come back. effects.state is set only when something
// changed (then one kExpire entry at most); no transaction record.
DecideResult Sweep(const CustomerState& customer, const RuleSet& rules, TimeMs now_ms);

// What a cashier sees for a card: the state as of `now_ms` (expired points
// not counted, pending points released), computed without writing or
// copying anything. Holds a reference to `state`: keep it alive while used.
// With the rules it also has the customer's signals, greeting hints and the
// offers they would get (offers.h; a lookup records nothing).
struct Profile {
  const CustomerState& state;
  Balances balances;
  NextExpiry next_expiry;
  std::optional<Signals> signals;  // with rules only
  std::vector<std::string> hints;
  std::vector<OfferShown> offers;
};
Profile ViewProfile(const CustomerState& state, TimeMs now_ms);
Profile ViewProfile(const CustomerState& state, TimeMs now_ms, const RuleSet& rules,
                    const RfmQuantiles* rfm, const BudgetsUsed* budgets);

}  // namespace loyalty
