#include "tools/report/nps.h"

#include <algorithm>

#include "engine/signals.h"
#include "tools/report/lifecycle.h"

namespace loyalty::report {

double NpsCounts::nps() const {
  const uint64_t n = responses();
  if (n == 0) return 0;
  return 100.0 * (static_cast<double>(promoters) - static_cast<double>(detractors)) /
         static_cast<double>(n);
}

void NpsCounts::Add(NpsGroup group) {
  switch (group) {
    case NpsGroup::kPromoter: promoters += 1; break;
    case NpsGroup::kPassive: passives += 1; break;
    case NpsGroup::kDetractor: detractors += 1; break;
    case NpsGroup::kNone: break;
  }
}

NpsTally::NpsTally(const RuleSet& rules, TimeMs as_of_ms, const RfmQuantiles* rfm)
    : rules_(rules), rfm_(rfm) {
  report_.as_of_ms = as_of_ms;
  for (int k = 1; k <= kLifecycleStages; ++k) {
    report_.by_lifecycle.push_back({LifecycleName(static_cast<Lifecycle>(k))});
  }
  for (const Segment& s : rules.segments) report_.by_segment.push_back({s.id});
}

void NpsTally::Add(const CustomerState& state) {
  report_.customers += 1;
  const NpsGroup group = NpsGroupOf(state.nps_score);
  if (group == NpsGroup::kNone || state.nps_score > 10) return;
  report_.all.Add(group);
  report_.scores[static_cast<std::size_t>(state.nps_score)] += 1;
  stores_[state.nps_store].Add(group);
  // Segments need the whole signal set; stages alone are cheaper.
  if (rules_.segments.empty()) {
    const Lifecycle stage = LifecycleOf(state, rules_.lifecycle, report_.as_of_ms);
    report_.by_lifecycle[StageIndex(stage)].counts.Add(group);
    return;
  }
  const Signals signals = SignalsOf(state, rules_, report_.as_of_ms, rfm_);
  report_.by_lifecycle[StageIndex(signals.lifecycle)].counts.Add(group);
  for (NpsRow& row : report_.by_segment) {
    if (std::find(signals.segments.begin(), signals.segments.end(), row.key) !=
        signals.segments.end()) {
      row.counts.Add(group);
    }
  }
}

NpsReport NpsTally::Finish() const {
  NpsReport r = report_;
  for (const auto& [store, counts] : stores_) r.by_store.push_back({store, counts});
  std::stable_sort(r.by_store.begin(), r.by_store.end(), [](const NpsRow& a, const NpsRow& b) {
    return a.counts.responses() > b.counts.responses();
  });
  return r;
}

}  // namespace loyalty::report
