#include "engine/lots.h"

#include <algorithm>

#include "engine/calendar.h"
#include "engine/limits.h"

namespace loyalty {
namespace {

// Never-expiring lots sort last.
TimeMs ExpiryKey(const Lot& lot) { return lot.expires_at_ms == 0 ? INT64_MAX : lot.expires_at_ms; }

LedgerEntry NewEntry(CustomerState& state, LedgerKind kind, int64_t points,
                     const std::string& txn_id, const std::string& rule_id, TimeMs at_ms) {
  LedgerEntry e;
  e.customer_id = state.customer_id;
  e.seq = state.next_ledger_seq++;
  e.kind = kind;
  e.points = points;
  e.transaction_id = txn_id;
  e.rule_id = rule_id;
  e.at_ms = at_ms;
  return e;
}

// Points earned on the same day share their dates, so they share one lot: a
// customer holds at most about one lot per day they earned on, however often
// they buy (a hot customer's state stays small).
void AddLot(CustomerState& state, Lot lot) {
  for (Lot& l : state.lots) {
    if (l.earned_at_ms == lot.earned_at_ms && l.spendable_from_ms == lot.spendable_from_ms &&
        l.expires_at_ms == lot.expires_at_ms) {
      l.points += lot.points;
      return;
    }
  }
  if (state.lots.size() >= limits::kLotsPerCustomerMax) {
    // At the bound, the two soonest-expiring lots become one with the later
    // expiry and the later spendable date: no point is lost or spendable
    // early. The balance does not change, so no ledger entry is due.
    Lot& first = state.lots[0];
    Lot& second = state.lots[1];
    second.points += first.points;
    second.earned_at_ms = std::min(first.earned_at_ms, second.earned_at_ms);
    second.spendable_from_ms = std::max(first.spendable_from_ms, second.spendable_from_ms);
    state.lots.erase(state.lots.begin());
  }
  auto at =
      std::upper_bound(state.lots.begin(), state.lots.end(), lot,
                       [](const Lot& a, const Lot& b) { return ExpiryKey(a) < ExpiryKey(b); });
  state.lots.insert(at, std::move(lot));
}

void DropEmptyLots(CustomerState& state) {
  std::erase_if(state.lots, [](const Lot& l) { return l.points == 0; });
}

// Takes up to `want` points from lots matching `pick`, in lot order.
int64_t TakeFrom(CustomerState& state, int64_t want, auto pick,
                 std::vector<SpentSlice>* slices = nullptr) {
  int64_t taken = 0;
  for (Lot& lot : state.lots) {
    if (taken == want) break;
    if (!pick(lot)) continue;
    const int64_t t = std::min(lot.points, want - taken);
    lot.points -= t;
    taken += t;
    if (slices != nullptr && t > 0) {
      slices->push_back({t, lot.earned_at_ms, lot.spendable_from_ms, lot.expires_at_ms,
                         lot.source_transaction_id, lot.noticed});
    }
  }
  return taken;
}

// Adds a lot after paying off debt first; the entry records all `points`.
LedgerEntry Grant(CustomerState& state, LedgerKind kind, Lot lot, const std::string& txn_id,
                  const std::string& rule_id, TimeMs now_ms) {
  const int64_t points = lot.points;
  LOYALTY_CHECK(points > 0);
  const int64_t to_debt = std::min(points, state.debt_points);
  state.debt_points -= to_debt;
  lot.points -= to_debt;
  if (lot.points > 0) AddLot(state, std::move(lot));
  return NewEntry(state, kind, points, txn_id, rule_id, now_ms);
}

}  // namespace

std::optional<LedgerEntry> ExpireLots(CustomerState& state, TimeMs now_ms) {
  int64_t expired = 0;
  for (Lot& lot : state.lots) {
    if (lot.expires_at_ms != 0 && lot.expires_at_ms <= now_ms) {
      expired += lot.points;
      lot.points = 0;
    }
  }
  if (expired == 0) return std::nullopt;
  DropEmptyLots(state);
  return NewEntry(state, LedgerKind::kExpire, -expired, "", "expiry", now_ms);
}

TimeMs ExpiryFor(TimeMs earned_day_ms, const ProgramRules& program) {
  switch (program.expiry_policy) {
    case ExpiryPolicy::kNever: return 0;
    case ExpiryPolicy::kRolling:
      return program.expiry_days == 0 ? 0 : earned_day_ms + (program.expiry_days + 1) * kMsPerDay;
    case ExpiryPolicy::kEndOfMonth:
      return StartOfMonthIndex(MonthIndexOf(earned_day_ms) + program.expiry_months + 1);
    case ExpiryPolicy::kEndOfYear: {
      const int32_t year = MonthIndexOf(earned_day_ms) / 12;
      return StartOfMonthIndex((year + program.expiry_years + 1) * 12);
    }
  }
  return 0;
}

LedgerEntry EarnLot(CustomerState& state, int64_t points, const std::string& txn_id,
                    const std::string& rule_id, TimeMs earned_at_ms, TimeMs now_ms,
                    const ProgramRules& program) {
  state.lifetime_points += points;
  Lot lot;
  lot.points = points;
  lot.earned_at_ms = StartOfDay(earned_at_ms);
  lot.spendable_from_ms =
      lot.earned_at_ms + (program.pending_days == 0 ? 0 : (program.pending_days + 1) * kMsPerDay);
  lot.expires_at_ms = ExpiryFor(lot.earned_at_ms, program);
  lot.source_transaction_id = txn_id;
  return Grant(state, LedgerKind::kEarn, std::move(lot), txn_id, rule_id, now_ms);
}

LedgerEntry CreditLot(CustomerState& state, int64_t points, const std::string& txn_id,
                      const std::string& reason, TimeMs now_ms, const ProgramRules& program) {
  state.lifetime_points += points;
  Lot lot;
  lot.points = points;
  lot.earned_at_ms = StartOfDay(now_ms);
  lot.spendable_from_ms = lot.earned_at_ms;
  lot.expires_at_ms = ExpiryFor(lot.earned_at_ms, program);
  lot.source_transaction_id = txn_id;
  return Grant(state, LedgerKind::kAdjust, std::move(lot), txn_id, reason, now_ms);
}

LedgerEntry SpendLots(CustomerState& state, int64_t points, const std::string& txn_id,
                      TimeMs now_ms, std::vector<SpentSlice>* slices) {
  const int64_t taken = TakeFrom(
      state, points, [&](const Lot& l) { return l.spendable_from_ms <= now_ms; }, slices);
  LOYALTY_CHECK(taken == points);
  DropEmptyLots(state);
  return NewEntry(state, LedgerKind::kSpend, -points, txn_id, "redeem", now_ms);
}

LedgerEntry DebitLots(CustomerState& state, int64_t points, const std::string& txn_id,
                      const std::string& reason, TimeMs now_ms) {
  int64_t taken =
      TakeFrom(state, points, [&](const Lot& l) { return l.spendable_from_ms <= now_ms; });
  taken += TakeFrom(state, points - taken, [](const Lot&) { return true; });
  LOYALTY_CHECK(taken == points);
  DropEmptyLots(state);
  state.lifetime_points -= points;
  return NewEntry(state, LedgerKind::kAdjust, -points, txn_id, reason, now_ms);
}

std::vector<LedgerEntry> MoveLots(CustomerState& from, CustomerState& to, const std::string& txn_id,
                                  TimeMs now_ms) {
  const int64_t moved = from.balance();
  if (from.lots.empty() && from.debt_points == 0) return {};
  to.lots.insert(to.lots.end(), from.lots.begin(), from.lots.end());
  std::stable_sort(to.lots.begin(), to.lots.end(),
                   [](const Lot& a, const Lot& b) { return ExpiryKey(a) < ExpiryKey(b); });
  to.debt_points += from.debt_points;
  from.lots.clear();
  from.debt_points = 0;
  if (moved == 0) return {};
  return {NewEntry(from, LedgerKind::kMerge, -moved, txn_id, "merge", now_ms),
          NewEntry(to, LedgerKind::kMerge, moved, txn_id, "merge", now_ms)};
}

LedgerEntry RestoreSlices(CustomerState& state, const std::vector<SpentSlice>& slices,
                          int64_t already, int64_t points, const std::string& txn_id,
                          TimeMs now_ms) {
  LOYALTY_CHECK(points > 0);
  int64_t skip = already, left = points;
  std::vector<Lot> back;
  for (auto it = slices.rbegin(); it != slices.rend() && left > 0; ++it) {
    int64_t avail = it->points;
    const int64_t s = std::min(skip, avail);
    skip -= s;
    avail -= s;
    const int64_t t = std::min(avail, left);
    if (t == 0) continue;
    left -= t;
    back.push_back(Lot{t, it->earned_at_ms, it->spendable_from_ms, it->expires_at_ms,
                       it->source_transaction_id, it->noticed});
  }
  LOYALTY_CHECK(left == 0);
  // Debt first, as for any credit; then each slice back as its own lot.
  int64_t to_debt = std::min(points, state.debt_points);
  state.debt_points -= to_debt;
  for (Lot& lot : back) {
    const int64_t d = std::min(to_debt, lot.points);
    to_debt -= d;
    lot.points -= d;
    if (lot.points > 0) AddLot(state, std::move(lot));
  }
  return NewEntry(state, LedgerKind::kRefund, points, txn_id, "refund", now_ms);
}

std::optional<LedgerEntry> ReverseLots(CustomerState& state, int64_t points,
                                       const std::string& txn_id, TimeMs original_time_ms,
                                       TimeMs now_ms, ReturnPolicy policy, int64_t* reversed) {
  const TimeMs original_day = StartOfDay(original_time_ms);
  int64_t taken = 0;
  if (policy == ReturnPolicy::kOnlyPending) {
    taken = TakeFrom(state, points, [&](const Lot& l) {
      return l.earned_at_ms == original_day && l.spendable_from_ms > now_ms;
    });
  } else {
    taken = TakeFrom(state, points, [&](const Lot& l) { return l.earned_at_ms == original_day; });
    taken += TakeFrom(state, points - taken, [](const Lot&) { return true; });
  }
  DropEmptyLots(state);
  if (policy == ReturnPolicy::kAllowNegative && taken < points) {
    state.debt_points += points - taken;
    taken = points;
  }
  state.lifetime_points -= taken;
  *reversed = taken;
  if (taken == 0) return std::nullopt;
  return NewEntry(state, LedgerKind::kReverse, -taken, txn_id, "return", now_ms);
}

}  // namespace loyalty
