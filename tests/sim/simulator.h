// Simulator: a deterministic simulation of the runtime (issue 17). One seed
// drives everything: a population of tills sending purchases, returns,
// redemptions, cancellations, adjustments and lookups; retries with the same
// transaction id, copies sent at once, reused ids with another payload;
// which shard decides or commits next (the runtime in stepped mode, no
// threads); commits that fail (not written, or written and then reported
// failed); crashes that drop everything not committed; rule swaps, expiry
// sweeps and jumps of the clock. The same seed gives the same run, answer for
// answer (trace_hash), so a failing seed reproduces its failure exactly.
//
// After every answer and at every checkpoint it checks the runtime against a
// reference model written here, apart from the core:
//   - an applied purchase earns floor(total x points per unit) base points
//     under the version that decided it, and the campaign bonus is all or
//     nothing and never beyond its budget;
//   - a retry with the same payload gets the stored decision, byte for byte;
//     another payload under a stored id is refused; nothing is decided twice;
//   - at checkpoints (everything drained, every unknown outcome resolved by
//     retrying, as a till would): balance = sum of the ledger = sum of the
//     lots; ledger sequences have no gaps; the ledger entries of every
//     transaction add up to what its acknowledged decision said, exactly
//     once; a refused or unknown-then-refused event has none; every stored
//     decision has its record.
#pragma once

#include <cstdint>
#include <string>

namespace loyalty::sim {

struct SimOptions {
  uint64_t seed = 1;
  uint64_t events = 100'000;  // requests submitted (retries and copies included)
  uint32_t customers = 500;
  uint32_t shards = 3;
  uint64_t checkpoint_every = 50'000;  // events between full checks
};

struct SimResult {
  bool ok = true;
  std::string failure;  // the first invariant broken, with the seed and the event number
  uint64_t events = 0, applied = 0, refused = 0, replayed = 0, unavailable = 0;
  uint64_t crashes = 0, commit_failures = 0, sweeps = 0, rule_swaps = 0, checkpoints = 0;
  uint64_t trace_hash = 0;  // of every answer in order: equal for equal seeds
  std::string Summary() const;
};

SimResult Simulate(const SimOptions& options);

}  // namespace loyalty::sim
