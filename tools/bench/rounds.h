// Two servers measured in alternate rounds, so that the machine's drift
// cancels out. On a shared VM two runs of the same build a minute apart
// differ by up to a third, more than most effects worth measuring, so both
// servers run at once on the server's CPU and each round measures one, then
// the other, the first of each round alternating, every server's background
// work settled before each phase. Ratios are taken per round; their medians
// are the result.
#pragma once

#include <sys/types.h>

#include <functional>
#include <vector>

#include "tools/bench/phase_kit.h"

namespace loyalty::bench {

// One round: each server's maximum rate (closed loop), then, if asked,
// each at half of its own maximum (open loop).
struct RoundPair {
  Measured at_max[2];
  Measured at_half[2];
};

// The p99 of the phase's purchases, in ms.
double PurchaseP99(const Measured& m);
// other / base, or 0 when there is no base.
double RatioOf(double other, double base);

// Runs `rounds` rounds of `w` against servers[0] and servers[1] (the first
// of each round alternating) and calls `each` after every round. `max` is
// the closed-loop phase; with `at_half`, each server is then measured at
// half of the rate it reached. Before each phase, both servers and the
// `also` processes (a standby) are settled (Quiesce).
void AlternateRounds(int rounds, const PhaseOptions& max, bool at_half, Workload& w,
                     Server* const servers[2], const std::vector<pid_t>& also,
                     const std::function<void(int round, const RoundPair&)>& each);

// loyalty-bench --versus OTHER: the started loyaltyd (--loyaltyd) against
// another build of it, same configuration, in alternate rounds; prints each
// round and the medians of the ratios other/this (throughput, p99 at half,
// CPU per purchase at the maximum and at half).
int RunVersus(Options options);

}  // namespace loyalty::bench
