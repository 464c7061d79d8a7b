// The behaviour profile (DESIGN.md §4, §8): kept current inside every
// decision, cheap enough for the hot path (a few additions and at most
// kAffinitiesKept x 3 weights to decay per purchase).
//
// Affinity: the spend of each category, brand and store, halved every
// `affinity_half_life_days` (the weights are all kept as of one time, so a
// purchase decays every weight once and then adds to its keys). The
// heaviest kAffinitiesKept per kind are kept; a new key enters when its
// weight beats the lightest kept one.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/customer_state.h"
#include "engine/event.h"
#include "engine/rules.h"

namespace loyalty {

// A purchase: visits, spend, items, months, first/last purchase, affinities,
// and the spend since issue of every offer held.
void ProfilePurchase(CustomerState& state, const Event& purchase, const RuleSet& rules);

// A return that gave back `refund_minor` of a purchase made at `purchased_at_ms`.
void ProfileReturn(CustomerState& state, int64_t refund_minor, TimeMs purchased_at_ms);

// Points redeemed (positive) or given back by a cancellation or a return
// (negative), with the discount they bought. `count` is +1 for a redemption,
// -1 for a cancellation, 0 for a partial refund.
void ProfileRedemption(CustomerState& state, int64_t points, int64_t minor, int count);

// A Feedback event.
void ProfileFeedback(CustomerState& state, const Event& feedback);

// The marketing consent an Enroll or a Consent event carries (none: nothing
// changes), as of `now_ms`, with where it was given: the event's source, or
// "enrolment", or the register ("register S1/R2").
void ProfileConsent(CustomerState& state, const Event& event, TimeMs now_ms);

// Decays `weights` (as of `from_ms`) to `to_ms` with the given half-life.
void DecayAffinities(std::vector<Affinity>& weights, TimeMs from_ms, TimeMs to_ms,
                     int32_t half_life_days);

// Adds `weight` to `key`, keeping the heaviest kAffinitiesKept, heaviest first.
void AddAffinity(std::vector<Affinity>& weights, const std::string& key, int64_t weight);

}  // namespace loyalty
