// A customer's affinities (engine/profile.h): heaviest first, at most
// kAffinitiesKept per kind, in an order that never depends on history.
#include "engine/profile.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace loyalty {
namespace {

// AddAffinity moves only the weight that grew; the list must come out as a
// full sort by (weight desc, key asc) of the same history would leave it,
// also after decays that make two weights equal out of key order.
TEST(AffinityTest, AddingKeepsTheHeaviestInTheOrderAFullSortGives) {
  std::mt19937_64 random(7);
  std::vector<Affinity> fast, reference;
  const auto before = [](const Affinity& a, const Affinity& b) {
    return a.weight != b.weight ? a.weight > b.weight : a.key < b.key;
  };
  for (int step = 0; step < 20'000; ++step) {
    if (step % 97 == 96) {  // a month without visits
      DecayAffinities(fast, 0, 30 * kMsPerDay, 90);
      DecayAffinities(reference, 0, 30 * kMsPerDay, 90);
      ASSERT_EQ(fast.size(), reference.size());
      continue;
    }
    const std::string key = "k" + std::to_string(random() % 14);
    const int64_t weight = static_cast<int64_t>(random() % 5) * 100;  // ties are common
    AddAffinity(fast, key, weight);
    // The reference: the same rule on the list as it is, then a full stable
    // sort (AddAffinity as it was; a key that does not get in changes nothing).
    if (weight > 0) {
      auto it = std::find_if(reference.begin(), reference.end(),
                             [&](const Affinity& a) { return a.key == key; });
      bool changed = true;
      if (it != reference.end()) {
        it->weight += weight;
      } else if (reference.size() < kAffinitiesKept) {
        reference.push_back({key, weight});
      } else if (reference.back().weight < weight) {
        reference.back() = {key, weight};
      } else {
        changed = false;
      }
      if (changed) std::stable_sort(reference.begin(), reference.end(), before);
    }
    ASSERT_EQ(fast.size(), reference.size()) << "step " << step;
    for (std::size_t i = 0; i < fast.size(); ++i) {
      ASSERT_EQ(fast[i].key, reference[i].key) << "step " << step << " position " << i;
      ASSERT_EQ(fast[i].weight, reference[i].weight) << "step " << step << " position " << i;
    }
  }
}

}  // namespace
}  // namespace loyalty
