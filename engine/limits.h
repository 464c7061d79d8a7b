// Every bound of the system in one place (DESIGN.md §2 rule 6). Each limit is
// checked before memory is spent on the thing it bounds. Names end in _max.
// Changing a limit that is part of the wire contract (frame size) is a
// protocol change: say so in the changelog.
#pragma once

#include <cstddef>
#include <cstdint>

namespace loyalty::limits {

// --- Wire -------------------------------------------------------------------
// Largest frame body (the protobuf message after its varint length).
inline constexpr std::size_t kFrameBytesMax = 64 * 1024;
// A varint length of a frame up to kFrameBytesMax needs at most 3 bytes; more
// than 5 continuation bytes is not a uint32 varint at all.
inline constexpr std::size_t kFrameLengthPrefixBytesMax = 5;
// Default connection cap of one server; configurable downwards and upwards.
inline constexpr std::size_t kConnectionsDefaultMax = 1024;
// Requests one connection may have in flight before the server stops reading.
inline constexpr std::size_t kInflightPerConnectionDefaultMax = 64;
// Reply bytes one connection may have queued or being written before the
// server stops reading it (a client that sends but never reads).
inline constexpr std::size_t kReplyBytesQueuedDefaultMax = 1 << 20;
// After a broken frame the server reads and drops what the client still sends
// (so closing does not reset the connection and lose the error reply), up to
// this much, for at most kDiscardAfterBadFrameMsMax.
inline constexpr std::size_t kDiscardAfterBadFrameBytesMax = 4 << 20;
inline constexpr int64_t kDiscardAfterBadFrameMsMax = 1000;

// --- Register channel (docs/SECURITY.md) -------------------------------------
// Credentials in one registers file (one per till of a large chain).
inline constexpr std::size_t kCredentialsMax = 1'000'000;
// Connections one credential may hold at once; more are refused OVERLOADED.
inline constexpr std::size_t kConnectionsPerCredentialDefaultMax = 16;
// Connections not yet authenticated (TLS handshake and Hello pending), in all
// and from one source address; a new one beyond either evicts the oldest of
// them, so a flood of idle sockets never shuts a till out.
inline constexpr std::size_t kUnauthenticatedDefaultMax = 256;
inline constexpr std::size_t kUnauthenticatedPerAddressDefaultMax = 32;
// Time from accept to a Welcome (TLS handshake and Hello).
inline constexpr int64_t kAuthTimeoutDefaultMs = 5000;
// Lookups per second per credential (token bucket), and the bucket's size.
inline constexpr int64_t kLookupsPerSecondDefault = 20;
inline constexpr int64_t kLookupBurstDefault = 100;
// Unread reply bytes across all connections; a connection over its share
// when the total is over is disconnected (Redis client-output-buffer-limit).
inline constexpr std::size_t kReplyBytesTotalDefaultMax = 64 << 20;
// The share below which a connection is never cut for the total.
inline constexpr std::size_t kReplyBytesFloorPerConnection = 64 << 10;
static_assert(kUnauthenticatedPerAddressDefaultMax <= kUnauthenticatedDefaultMax);
static_assert(kReplyBytesFloorPerConnection <= kReplyBytesQueuedDefaultMax);

// --- Events ------------------------------------------------------------------
inline constexpr std::size_t kIdBytesMax = 64;  // txn, card, store, sku...
// Cards one customer may hold (a linked second card, a family's cards).
inline constexpr std::size_t kCardsPerCustomerMax = 10;
inline constexpr std::size_t kCategoryBytesMax = 64;
inline constexpr std::size_t kCommentBytesMax = 1000;       // Feedback comment, UTF-8
inline constexpr std::size_t kConsentSourceBytesMax = 100;  // where consent was given, UTF-8
inline constexpr std::size_t kLinesPerBasketMax = 1000;
inline constexpr int64_t kQuantityMax = 100'000;
// 10 million major units per line (1e9 minor with 2 decimals): absurd above.
inline constexpr int64_t kLineTotalMinorMax = 1'000'000'000;
inline constexpr int64_t kBasketTotalMinorMax = 10'000'000'000;  // 1e8 major units
inline constexpr int64_t kPointsPerEventMax = 1'000'000'000;
// A register clock may run ahead of the server by at most this much.
inline constexpr int64_t kEventTimeAheadMsMax = 5 * 60 * 1000;

// --- Host sanity limits ---------------------------------------------------------
// The rules file's `program.limits` sets these per program (rules.h
// ProgramLimits); the defaults hold when it does not, and the file may not go
// beyond the hard bounds above and below. Past them an event is refused with
// INVALID_FIELD, never applied.
// A purchase basket (sum of its line totals), in minor units: 1,000,000.00 at
// 2 decimals, above the largest wholesale invoice of the 2010-2011 Online
// Retail data set (168,469.60 GBP).
inline constexpr int64_t kBasketTotalMinorDefaultMax = 100'000'000;
// Points one event may earn, spend or adjust.
inline constexpr int64_t kPointsPerEventDefaultMax = 10'000'000;
// How far back a register's event time may be: an offline till catches up
// within a week. Older sales would skip the pending window or be born expired.
inline constexpr int32_t kEventAgeDaysDefaultMax = 7;
// What a rules file may set event_age_max_days to. Stays below the 90 days
// DESIGN.md §6 keeps transaction ids for, so an event old enough for its id
// to be pruned is refused rather than applied a second time.
inline constexpr int32_t kEventAgeDaysMax = 60;

// --- Rules -------------------------------------------------------------------
// Points per major currency unit, in thousandths (1 point per EUR = 1000).
inline constexpr int64_t kPointsPerUnitMilliMax = 1'000'000;
inline constexpr int32_t kPendingDaysMax = 365;
inline constexpr int32_t kExpiryDaysMax = 36500;
inline constexpr int32_t kExpiryMonthsMax = 1200;
// Multipliers (earn rules, tiers) in thousandths: at most x100.
inline constexpr int64_t kMultiplierMilliMax = 100'000;
inline constexpr int64_t kBonusPointsMax = 100'000'000;
inline constexpr std::size_t kEarnRulesMax = 256;
inline constexpr std::size_t kSegmentsMax = 256;
// Offers are weighed for every purchase and lookup, and each customer keeps
// a record per offer issued: the catalog stays small.
inline constexpr std::size_t kOffersMax = 256;
inline constexpr std::size_t kTiersMax = 32;
inline constexpr std::size_t kRuleListMax = 1000;  // categories, SKUs... named by one rule

// --- State -------------------------------------------------------------------
// Lots merge per earning day, so a customer holds about one lot per day in
// the expiry window; this bounds programs whose points never expire.
inline constexpr std::size_t kLotsPerCustomerMax = 4096;
static_assert(kLotsPerCustomerMax >= 2);

// --- Pipeline ----------------------------------------------------------------
inline constexpr std::size_t kShardQueueDefaultMax = 16 * 1024;
inline constexpr std::size_t kCommitGroupDefaultMax = 512;
// Copies of a transaction (same id) that arrive while the first is being
// applied wait for its commit, parked off the shard queues; at most this many
// across all shards (the next copy is answered OVERLOADED). Each holds one
// decoded request, so with kFrameBytesMax they stay within a few hundred MiB
// at worst, and a few MiB for the usual one-screen baskets.
inline constexpr std::size_t kCopiesWaitingDefaultMax = 4096;
// Copies going home are queued past a full queue: the bound still holds
// within twice the queue's own.
static_assert(kCopiesWaitingDefaultMax <= kShardQueueDefaultMax);

// How the limits relate: arithmetic on the largest inputs cannot overflow.
static_assert(kLinesPerBasketMax * kLineTotalMinorMax >= kBasketTotalMinorMax);
// Basket total (minor) x points-per-unit (milli) fits in int64.
static_assert(kBasketTotalMinorMax <= INT64_MAX / kPointsPerUnitMilliMax);
static_assert(kFrameBytesMax < (1u << 21), "a frame length fits a 3-byte varint");
static_assert(kQuantityMax * kLinesPerBasketMax < INT32_MAX);
// quantity x unit price, compared with a line total, fits in int64.
static_assert(kQuantityMax <= INT64_MAX / kLineTotalMinorMax);
static_assert(kBasketTotalMinorDefaultMax <= kBasketTotalMinorMax);
static_assert(kPointsPerEventDefaultMax <= kPointsPerEventMax);
static_assert(kEventAgeDaysDefaultMax <= kEventAgeDaysMax);
static_assert(kEventAgeDaysMax < 90, "below the transaction id retention of DESIGN.md §6");

}  // namespace loyalty::limits
