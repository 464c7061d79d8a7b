// What the request target's fixed world holds, shared with the corpus
// generator so that the seeds name a card and transactions that exist.
#pragma once

#include "engine/event.h"

namespace loyalty::fuzz {

inline constexpr TimeMs kNowMs = 1'780'272'000'000;  // 2026-06-01 00:00 UTC, the server clock
inline constexpr const char* kCard = "C-1";
inline constexpr const char* kPurchaseTxn = "T-SEED-1";  // 4 x 250.00 EUR of school, 60 days ago
inline constexpr const char* kRedeemTxn = "T-SEED-2";    // 500 points, 10 days ago

}  // namespace loyalty::fuzz
