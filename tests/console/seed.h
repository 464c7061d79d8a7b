// Seeds a store with many customers for the console's browser test: each
// customer's purchases (1 to 5 over the past year, in up to 8 stores) go
// through the pure core (engine::Decide) as a shard would run them, and
// their effects (state, card, ledger, transaction record) are written to a
// real RocksDB store, before loyaltyd opens it. About 5 s for 100,000 on 2
// cores, far quicker than sending them over the register channel.
#pragma once

#include <cstdint>
#include <string>

#include "engine/rules.h"
#include "engine/status.h"

namespace loyalty::testing {

struct SeedOptions {
  std::string data_dir;
  uint64_t customers = 100'000;
  TimeMs now_ms = 0;   // purchases fall in the year before it
  uint64_t seed = 13;  // the same seed, the same customers
};

// Card numbers are "7" + 15 digits of the customer's number ("7000000000000042").
std::string SeededCard(uint64_t n);

Status SeedCustomers(const SeedOptions& options, const RuleSet& rules);

}  // namespace loyalty::testing
