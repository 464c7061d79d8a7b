// The deterministic simulation of the runtime (simulator.h). CI runs a
// million events from a fresh seed each time and prints it; a failure prints
// the seed and the event, and SIM_SEED=<seed> reproduces it exactly. Longer
// runs: SIM_EVENTS=100000000 (see docs/TESTING.md).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>

#include "tests/sim/simulator.h"

namespace loyalty::sim {
namespace {

uint64_t FromEnv(const char* name, uint64_t otherwise) {
  const char* v = std::getenv(name);
  return v == nullptr || *v == '\0' ? otherwise : std::stoull(v);
}

TEST(SimulatorTest, AMillionEventsUnderFaultsKeepEveryInvariant) {
  SimOptions o;
  o.seed =
      FromEnv("SIM_SEED",
              static_cast<uint64_t>(std::chrono::system_clock::now().time_since_epoch().count()));
  o.events = FromEnv("SIM_EVENTS", 1'000'000);
  std::cout << "simulation seed " << o.seed << " (SIM_SEED=" << o.seed << " reproduces it)\n";
  const SimResult r = Simulate(o);
  std::cout << r.Summary() << "\n";
  ASSERT_TRUE(r.ok) << r.failure;
  EXPECT_GE(r.events, o.events);
  // The faults happened: a run without them proves little.
  EXPECT_GT(r.crashes, 0u);
  EXPECT_GT(r.unavailable, 0u);
  EXPECT_GT(r.replayed, 0u);
  EXPECT_GT(r.rule_swaps, 0u);
}

TEST(SimulatorTest, TheSameSeedGivesTheSameRunAnswerForAnswer) {
  SimOptions o;
  o.seed = 42;
  o.events = 10'000;
  const SimResult a = Simulate(o), b = Simulate(o);
  ASSERT_TRUE(a.ok) << a.failure;
  EXPECT_EQ(a.trace_hash, b.trace_hash);
  EXPECT_EQ(a.Summary(), b.Summary());
  o.seed = 43;
  EXPECT_NE(Simulate(o).trace_hash, a.trace_hash);
}

}  // namespace
}  // namespace loyalty::sim
