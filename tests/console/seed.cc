#include "tests/console/seed.h"

#include <cstdio>
#include <random>

#include "adapters/rocksdb/store.h"
#include "engine/decide.h"
#include "engine/validate.h"

namespace loyalty::testing {

std::string SeededCard(uint64_t n) {
  char card[32];
  std::snprintf(card, sizeof card, "7%015llu", static_cast<unsigned long long>(n));
  return card;
}

namespace {

Event Sale(uint64_t customer, int k, TimeMs at_ms, int64_t minor, int store,
           const std::string& currency) {
  Event e;
  e.kind = EventKind::kPurchase;
  e.card = SeededCard(customer);
  e.transaction_id = "SEED-" + std::to_string(customer) + "-" + std::to_string(k);
  e.store_id = "S" + std::to_string(store);
  e.register_id = "R1";
  e.event_time_ms = at_ms;
  e.currency = currency;
  e.lines.push_back({"SKU-" + std::to_string(k % 7), "", "", 1, minor, minor, ""});
  return e;
}

}  // namespace

Status SeedCustomers(const SeedOptions& o, const RuleSet& rules) {
  StoreOptions store_options;
  store_options.path = o.data_dir;
  store_options.sync = false;  // the batches are on disk once Store closes
  auto store = Store::Open(store_options);
  if (!store.ok()) return store.status();
  std::mt19937_64 random(o.seed);
  WriteSet writes = (*store)->NewWriteSet();
  constexpr TimeMs kYearMs = 365 * kMsPerDay;
  for (uint64_t c = 1; c <= o.customers; ++c) {
    const int purchases = 1 + static_cast<int>(random() % 5);
    const int store_no = 1 + static_cast<int>(random() % 8);
    TimeMs at = o.now_ms - kYearMs + static_cast<TimeMs>(random() % (kYearMs / 2));
    std::optional<CustomerState> state;
    for (int k = 0; k < purchases; ++k) {
      at += static_cast<TimeMs>(random() % (kYearMs / 2 / purchases)) + 60'000;
      // Skewed baskets: most small, a few large (a Pareto worth looking at).
      const int64_t minor =
          (500 + static_cast<int64_t>(random() % 2000)) * (random() % 10 == 0 ? 10 : 1);
      const Event e = Sale(c, k, at, minor, store_no, rules.program.currency);
      if (auto bad = ValidateEvent(e, rules, at)) {
        return Status::Invalid("seed event refused: " + bad->field + ": " + bad->reason);
      }
      DecideResult r = Decide({e, state ? &*state : nullptr, nullptr, nullptr, rules, at});
      for (const LedgerEntry& l : r.effects.ledger) writes.PutLedger(l);
      if (r.effects.txn) writes.PutTxn(*r.effects.txn, at);
      if (r.effects.link_card) writes.PutCard(e.card, r.effects.state->customer_id);
      if (r.effects.state) state = std::move(r.effects.state);
    }
    if (state) writes.PutCustomer(*state);
    if (c % 2000 == 0 || c == o.customers) {
      if (Status s = (*store)->Commit(writes); !s.ok()) return s;
      writes.Clear();
    }
  }
  return Status::Ok();
}

}  // namespace loyalty::testing
