// Operations on a customer's lots. Each one that changes the balance returns
// the ledger entry it implies (with seq taken from the state), so balance ==
// sum(ledger) holds by construction. Pure functions on a state value.
#pragma once

#include <optional>
#include <string>

#include "engine/customer_state.h"
#include "engine/decision.h"
#include "engine/ledger.h"
#include "engine/rules.h"

namespace loyalty {

// Removes expired points (expires_at <= now); one kExpire entry for all of
// them, or nullopt when nothing expired.
std::optional<LedgerEntry> ExpireLots(CustomerState& state, TimeMs now_ms);

// Midnight UTC at or before `ms`. Lots live on whole days: points become
// spendable, and expire, at a midnight (UTC) boundary.
inline TimeMs StartOfDay(TimeMs ms) { return ms - ((ms % kMsPerDay) + kMsPerDay) % kMsPerDay; }

// When points earned on the day starting `earned_day_ms` expire (0: never):
// rolling, the midnight after `expiry_days` full days; end_of_month, the
// first midnight of the month after the month `expiry_months` later;
// end_of_year likewise with years.
TimeMs ExpiryFor(TimeMs earned_day_ms, const ProgramRules& program);

// Adds `points` earned by `txn_id` at `earned_at_ms` to the customer's lots,
// shaped by the program: spendable at the midnight after `pending_days` full
// days (at once with 0), expiring as ExpiryFor says. Points earned on the
// same day join one lot. First pays off any debt.
LedgerEntry EarnLot(CustomerState& state, int64_t points, const std::string& txn_id,
                    const std::string& rule_id, TimeMs earned_at_ms, TimeMs now_ms,
                    const ProgramRules& program);

// A manual credit: spendable at once, expiring like earned points (kAdjust).
LedgerEntry CreditLot(CustomerState& state, int64_t points, const std::string& txn_id,
                      const std::string& reason, TimeMs now_ms, const ProgramRules& program);

// Spends `points` from spendable lots, soonest expiry first, and notes in
// `slices` (if given) which lots they came from.
// Precondition: BalancesAt(state, now).spendable >= points.
LedgerEntry SpendLots(CustomerState& state, int64_t points, const std::string& txn_id,
                      TimeMs now_ms, std::vector<SpentSlice>* slices = nullptr);

// A manual debit (kAdjust): spendable lots first, then pending ones, soonest
// expiry first. Precondition: the balance covers `points`.
LedgerEntry DebitLots(CustomerState& state, int64_t points, const std::string& txn_id,
                      const std::string& reason, TimeMs now_ms);

// Gives back `points` of a redemption's `slices`, latest-expiring first,
// skipping the `already` points given back before; each keeps its original
// dates (an expiry already past expires at the end of the decision).
LedgerEntry RestoreSlices(CustomerState& state, const std::vector<SpentSlice>& slices,
                          int64_t already, int64_t points, const std::string& txn_id,
                          TimeMs now_ms);

// Takes back up to `points` for a return of a purchase made at
// `original_time_ms`: first from the lot of that day, then from the
// soonest-expiring lots; what the lots cannot cover becomes debt under
// kAllowNegative and is forgiven under kWithinBalance. Under kOnlyPending
// only the still-pending points of that day are taken. Returns the entry (nullopt if nothing was
// taken) and sets
// `*reversed` to the points actually taken back.
std::optional<LedgerEntry> ReverseLots(CustomerState& state, int64_t points,
                                       const std::string& txn_id, TimeMs original_time_ms,
                                       TimeMs now_ms, ReturnPolicy policy, int64_t* reversed);

// Two customers merged: every lot of `from` (with its dates) and its debt
// move to `to`, by a pair of kMerge entries (-balance on `from`'s ledger,
// +balance on `to`'s), so each ledger still sums to its balance. Empty when
// `from` had nothing.
std::vector<LedgerEntry> MoveLots(CustomerState& from, CustomerState& to, const std::string& txn_id,
                                  TimeMs now_ms);

// Whether `lot` is due its expiring-soon notice at `now_ms`: it expires
// within `notice_days` (and has not yet), and none went out for it.
inline bool NoticeDue(const Lot& lot, int32_t notice_days, TimeMs now_ms) {
  return notice_days > 0 && !lot.noticed && lot.expires_at_ms > now_ms &&
         lot.expires_at_ms - now_ms <= int64_t{notice_days} * kMsPerDay;
}

}  // namespace loyalty
