// Fuzz target: the marketer's rules file (adapters/yaml/rules_file.cc). The
// input is the file's text, any bytes: marketers write it by hand, upload it
// to the console (POST /v1/rulesets) and loyaltyd reads it at startup.
//
// A file refused lists its problems, each naming the file, a line within
// the text (or 0 for the whole file) and a reason. A file that parses is a
// rule set ValidateRuleSet accepts, and the core runs on it without
// aborting: a customer enrols, buys a basket, redeems, returns part of the
// basket and looks up the balance, each event first validated against the
// rules as a shard would, and the ledger adds up after each
// (World::Consistent). A rule set that passes validation yet makes Decide
// CHECK-fail or overflow is a bug of the validation.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "adapters/yaml/rules_file.h"
#include "engine/check.h"
#include "engine/validate.h"
#include "tests/fuzz/seed_history.h"
#include "tests/support/world.h"

namespace loyalty {
namespace {

constexpr const char* kFile = "rules.yaml";

Event At(EventKind kind, const char* txn, TimeMs at_ms, const RuleSet& rules) {
  Event e;
  e.kind = kind;
  e.transaction_id = txn;
  e.card = fuzz::kCard;
  e.store_id = "S1";
  e.register_id = "R1";
  e.event_time_ms = at_ms;
  e.currency = rules.program.currency;
  return e;
}

// Applies `e` when the rules let it through validation; the ledger must add up.
void Step(testing::World& world, const Event& e) {
  if (ValidateEvent(e, world.rules(), fuzz::kNowMs)) return;
  world.Apply(e, fuzz::kNowMs);
  LOYALTY_CHECK(world.Consistent());
}

void RunTheCore(const RuleSet& rules) {
  testing::World world(rules);
  const TimeMs now = fuzz::kNowMs;
  Step(world, At(EventKind::kEnroll, "", now - 90 * kMsPerDay, rules));
  Event purchase = At(EventKind::kPurchase, "T-1", now - 60 * kMsPerDay, rules);
  purchase.lines = {Line{"SKU-1", "school", "acme", 4, 25'000, 100'000, ""},
                    Line{"SKU-2", "toys", "", 1, 999, 999, ""}};
  purchase.basket_total_minor = 100'999;
  Step(world, purchase);
  Event redeem = At(EventKind::kRedeem, "T-2", now - 10 * kMsPerDay, rules);
  redeem.points = 100;
  redeem.basket_total_minor = 2'000;
  Step(world, redeem);
  Event ret = At(EventKind::kReturn, "T-3", now - 60'000, rules);
  ret.original_transaction_id = "T-1";
  ret.lines = {Line{"SKU-1", "school", "acme", 1, 25'000, 25'000, ""}};
  ret.basket_total_minor = 25'000;
  Step(world, ret);
  world.View(fuzz::kCard, now);
}

}  // namespace
}  // namespace loyalty

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace loyalty;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const rules_file::Loaded loaded = rules_file::Parse(text, kFile);
  LOYALTY_CHECK(loaded.rules.has_value() == loaded.problems.empty());
  const auto lines = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
  for (const rules_file::Problem& p : loaded.problems) {
    LOYALTY_CHECK(p.file == kFile && !p.message.empty());
    LOYALTY_CHECK(p.line >= 0 && p.line <= lines + 1 && p.column >= 0);
    LOYALTY_CHECK(p.ToString().rfind(std::string(kFile) + ":", 0) == 0);
  }
  if (loaded.rules) RunTheCore(*loaded.rules);
  return 0;
}
