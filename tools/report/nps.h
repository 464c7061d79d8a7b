// NPS report (DESIGN.md §8): of the customers who answered (their latest
// Feedback score 0-10), promoters (9-10), passives (7-8) and detractors
// (0-6); NPS = % promoters - % detractors, from -100 to 100. Overall, per
// store where the score was given, per lifecycle stage and per segment of
// the rules, with the distribution of scores. Groups and stages are the
// engine's (NpsGroupOf, SignalsOf).
//
// Feed it one customer at a time (Add), then Finish. Pure; one tally per
// thread.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/customer_state.h"
#include "engine/rfm.h"
#include "engine/rules.h"

namespace loyalty::report {

struct NpsCounts {
  uint64_t promoters = 0, passives = 0, detractors = 0;
  uint64_t responses() const { return promoters + passives + detractors; }
  // % promoters - % detractors; 0 with no responses.
  double nps() const;
  void Add(NpsGroup group);
};

struct NpsRow {
  std::string key;  // a store, stage or segment
  NpsCounts counts;
};

struct NpsReport {
  TimeMs as_of_ms = 0;
  uint64_t customers = 0;  // all, answered or not
  NpsCounts all;
  std::array<uint64_t, 11> scores{};  // customers per latest score 0..10
  std::vector<NpsRow> by_store;       // most responses first ("" = no store given)
  std::vector<NpsRow> by_lifecycle;   // the 6 stages, prospect first
  std::vector<NpsRow> by_segment;     // the rules' segments, in rule order
};

class NpsTally {
 public:
  // `rfm` may be null (then segments on RFM scores match no one).
  NpsTally(const RuleSet& rules, TimeMs as_of_ms, const RfmQuantiles* rfm);
  void Add(const CustomerState& state);
  NpsReport Finish() const;

 private:
  const RuleSet& rules_;
  const RfmQuantiles* rfm_;
  NpsReport report_;
  std::map<std::string, NpsCounts> stores_;
};

}  // namespace loyalty::report
