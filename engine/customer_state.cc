#include "engine/customer_state.h"

#include <algorithm>

namespace loyalty {

int64_t CustomerState::balance() const {
  int64_t sum = 0;
  for (const Lot& l : lots) sum += l.points;
  return sum - debt_points;
}

Balances BalancesAt(const CustomerState& state, TimeMs now_ms) {
  Balances b;
  for (const Lot& l : state.lots) {
    if (l.expires_at_ms != 0 && l.expires_at_ms <= now_ms) continue;
    (l.spendable_from_ms <= now_ms ? b.spendable : b.pending) += l.points;
  }
  // Debt is paid from what can be spent first; it never shows as negative
  // spendable, only as a lower (possibly negative) balance.
  const int64_t from_spendable = std::min(b.spendable, state.debt_points);
  b.spendable -= from_spendable;
  b.balance = b.spendable + b.pending - (state.debt_points - from_spendable);
  b.lifetime = state.lifetime_points;
  return b;
}

NextExpiry NextExpiryOf(const CustomerState& state, TimeMs now_ms) {
  NextExpiry n;
  for (const Lot& l : state.lots) {  // lots are ordered by expiry
    if (l.expires_at_ms == 0) break;
    if (l.expires_at_ms <= now_ms) continue;  // gone already (a view before the sweep)
    if (n.at_ms == 0) n.at_ms = l.expires_at_ms;
    if (l.expires_at_ms != n.at_ms) break;
    n.points += l.points;
  }
  return n;
}

Status CheckState(const CustomerState& s) {
  const std::string who = "customer " + s.customer_id + ": ";
  if (s.customer_id.empty()) return Status::Corruption("a customer has no id");
  if (s.debt_points < 0) return Status::Corruption(who + "negative debt");
  TimeMs previous_expiry = 0;
  for (std::size_t i = 0; i < s.lots.size(); ++i) {
    const Lot& l = s.lots[i];
    const std::string at = who + "lot " + std::to_string(i) + " ";
    if (l.points <= 0) return Status::Corruption(at + "holds no points");
    if (l.spendable_from_ms < l.earned_at_ms) {
      return Status::Corruption(at + "is spendable before it was earned");
    }
    if (l.expires_at_ms != 0 && l.expires_at_ms < l.spendable_from_ms) {
      return Status::Corruption(at + "expires before it is spendable");
    }
    const TimeMs key = l.expires_at_ms == 0 ? INT64_MAX : l.expires_at_ms;
    if (key < previous_expiry) return Status::Corruption(at + "is out of expiry order");
    previous_expiry = key;
  }
  return Status::Ok();
}

std::string MaskCard(std::string_view card) {
  const std::size_t shown = card.size() > 8 ? 4 : card.size() / 2;
  return std::string(card.size() - shown, '*') + std::string(card.substr(card.size() - shown));
}

}  // namespace loyalty
