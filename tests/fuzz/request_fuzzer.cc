// Fuzz target: request decode and validation. The input is one frame body,
// any bytes; what parses as a loyalty.v1.Request goes the server's way
// (tools/wiring/register_front.cc and engine/runtime/runtime.cc Submit): DecodeRequest, then
// ValidateEvent against the example rules at a fixed server time.
//
// Validation is the core's only guard: Decide assumes a validated event and
// CHECKs that it is one. So an event that passes is then decided, as a shard
// would, against a small history (a customer with a purchase and a
// redemption), and the ledger must still add up (World::Consistent).
#include <google/protobuf/stubs/logging.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "adapters/yaml/rules_file.h"
#include "engine/check.h"
#include "engine/validate.h"
#include "loyalty/v1/wire.pb.h"
#include "proto/wire_codec.h"
#include "proto/wire_parse.h"
#include "tests/fuzz/seed_history.h"
#include "tests/support/world.h"

namespace loyalty {
namespace {

using fuzz::kCard;
using fuzz::kNowMs;
using fuzz::kPurchaseTxn;
using fuzz::kRedeemTxn;

RuleSet LoadRules() {
  rules_file::Loaded loaded = rules_file::LoadFile(EXAMPLE_RULES_PATH);
  if (!loaded.rules) {
    for (const auto& p : loaded.problems) std::fprintf(stderr, "%s\n", p.ToString().c_str());
    std::abort();
  }
  return std::move(*loaded.rules);
}

Event SeedEvent(EventKind kind, const char* txn, TimeMs at_ms) {
  Event e;
  e.kind = kind;
  e.transaction_id = txn;
  e.card = kCard;
  e.store_id = "S1";
  e.register_id = "R1";
  e.event_time_ms = at_ms;
  e.currency = "EUR";
  return e;
}

// Enrolled 90 days ago, a 1,000.00 EUR basket 60 days ago, 500 points
// redeemed 10 days ago.
testing::World MakeHistory(const RuleSet& rules) {
  testing::World world(rules);
  Event enroll = SeedEvent(EventKind::kEnroll, "", kNowMs - 90 * kMsPerDay);
  LOYALTY_CHECK(world.Apply(enroll, enroll.event_time_ms).decision.outcome == Outcome::kApplied);
  Event purchase = SeedEvent(EventKind::kPurchase, kPurchaseTxn, kNowMs - 60 * kMsPerDay);
  purchase.lines = {Line{"SKU-1", "school", "acme", 4, 25'000, 100'000, ""}};
  LOYALTY_CHECK(world.Apply(purchase, purchase.event_time_ms).decision.outcome ==
                Outcome::kApplied);
  Event redeem = SeedEvent(EventKind::kRedeem, kRedeemTxn, kNowMs - 10 * kMsPerDay);
  redeem.points = 500;
  redeem.basket_total_minor = 2'000;
  LOYALTY_CHECK(world.Apply(redeem, redeem.event_time_ms).decision.outcome == Outcome::kApplied);
  LOYALTY_CHECK(world.Consistent());
  return world;
}

const testing::World& History() {
  static const testing::World* world = new testing::World(MakeHistory(LoadRules()));
  return *world;
}

void CheckValidEventIsDecided(const Event& event) {
  testing::World world = History();
  if (event.kind == EventKind::kLookup) {
    if (event.card != kCard) return;  // unknown: the shard answers UNKNOWN_CARD
    v1::Profile profile = wire::EncodeProfile(world.View(event.card, kNowMs), event.card);
    LOYALTY_CHECK(profile.cards_size() > 0);
    return;
  }
  // The shard refuses, before any decision, a new card that names a
  // customer id already taken (Shard::CheckNewCustomerId: INVALID_FIELD);
  // the history's customer is "C-1", enrolled by card C-1.
  if (event.card != kCard &&
      (event.customer_id.empty() ? event.card : event.customer_id) == kCard) {
    return;
  }
  const DecideResult result = world.Apply(event, kNowMs);
  LOYALTY_CHECK(world.Consistent());
  // As the shard answers: two outcomes travel as errors, the rest as a
  // decision whose outcome the wire knows.
  if (auto error = wire::OutcomeAsError(result.decision)) {
    LOYALTY_CHECK(!error->field().empty());
    return;
  }
  const v1::Decision decision = wire::EncodeDecision(result.decision);
  LOYALTY_CHECK(v1::Outcome_IsValid(decision.outcome()) &&
                decision.outcome() != v1::OUTCOME_UNSPECIFIED);
}

}  // namespace
}  // namespace loyalty

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);  // invalid UTF-8 would log each time
  loyalty::History();                        // the rules are read once, before the first input
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace loyalty;
  v1::Request request;
  // As the server parses a frame body: a text field that is not UTF-8 is an
  // INVALID_FIELD naming it (the connection lives), anything else malformed.
  if (auto unparsed = wire::ParseRequest(
          std::string_view(reinterpret_cast<const char*>(data), size), &request)) {
    LOYALTY_CHECK(unparsed->code() == v1::MALFORMED_FRAME ||
                  (unparsed->code() == v1::INVALID_FIELD && !unparsed->field().empty()));
    return 0;
  }
  Event event;
  if (auto error = wire::DecodeRequest(request, &event)) {
    LOYALTY_CHECK(error->code() == v1::INVALID_FIELD || error->code() == v1::UNKNOWN_MESSAGE);
    LOYALTY_CHECK(!error->field().empty());
    return 0;
  }
  if (auto bad = ValidateEvent(event, History().rules(), kNowMs)) {
    LOYALTY_CHECK(!bad->field.empty() && !bad->reason.empty());
    return 0;
  }
  CheckValidEventIsDecided(event);
  return 0;
}
