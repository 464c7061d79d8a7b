#include "tools/loyaltyd/statement.h"

#include "loyalty/v1/wire.pb.h"
#include "tools/report/format.h"

namespace loyalty {
namespace {

using Json = nlohmann::json;

struct Clock {
  int32_t offset_minutes = 0;
  // key_ms, and beside it key_at (ISO 8601) and key_date, unless ms is 0.
  void Put(Json& j, const std::string& key, TimeMs ms) const {
    j[key + "_ms"] = ms;
    if (ms == 0) return;
    j[key + "_at"] = report::IsoDateTime(ms, offset_minutes);
    j[key + "_date"] = report::IsoDate(ms, offset_minutes);
  }
};

// What the statement says of the event behind an entry: its kind, outcome,
// store, time and money (a purchase's basket, a redemption's discount).
Json EventJson(const TxnRecord& t, const Clock& clock) {
  Json j = {{"kind", EventKindName(t.kind)}, {"outcome", OutcomeName(t.outcome)}};
  if (!t.store_id.empty()) j["store"] = t.store_id;
  clock.Put(j, "event_time", t.event_time_ms);
  int64_t basket_minor = 0;
  for (const TxnLine& l : t.lines) basket_minor += l.line_total_minor;
  if (t.kind == EventKind::kPurchase) j["amount_minor"] = basket_minor;
  v1::Decision d;  // the stored reply is the decision's bytes (proto/wire_codec.h)
  if (!t.reply.empty() && d.ParseFromString(t.reply)) {
    if (d.discount_minor() != 0) j["discount_minor"] = d.discount_minor();
    if (d.offer_discount_minor() != 0) j["offer_discount_minor"] = d.offer_discount_minor();
    j["rules_version"] = d.rules_version();
  }
  if (t.points_spent != 0) j["points_spent"] = t.points_spent;
  if (t.cancelled) j["cancelled"] = true;
  return j;
}

Json LotsJson(const CustomerState& s, TimeMs now_ms, const Clock& clock) {
  Json lots = Json::array();
  for (const Lot& l : s.lots) {
    const bool expired = l.expires_at_ms != 0 && l.expires_at_ms <= now_ms;
    Json j = {{"points", l.points},
              {"state", expired                        ? "expired"
                        : l.spendable_from_ms > now_ms ? "pending"
                                                       : "spendable"},
              {"source_transaction_id", l.source_transaction_id}};
    clock.Put(j, "earned", l.earned_at_ms);
    clock.Put(j, "spendable_from", l.spendable_from_ms);
    clock.Put(j, "expires", l.expires_at_ms);
    lots.push_back(std::move(j));
  }
  return lots;
}

}  // namespace

nlohmann::json StatementJson(const LedgerPage& page, const RuleSet& rules, TimeMs now_ms) {
  const CustomerState& s = *page.state;
  const Clock clock{rules.program.utc_offset_minutes};
  const Balances b = BalancesAt(s, now_ms);
  const NextExpiry next = NextExpiryOf(s, now_ms);
  Json j = {{"customer_id", s.customer_id},
            {"cards", s.cards},
            {"currency", rules.program.currency},
            {"utc_offset_minutes", rules.program.utc_offset_minutes},
            {"point_value_minor", rules.program.point_value_minor},
            {"balance", b.balance},
            {"spendable", b.spendable},
            {"pending", b.pending},
            {"lifetime", b.lifetime},
            {"debt", s.debt_points},
            {"ledger_balance", s.balance()},
            {"tier", s.tier},
            {"next_expiry_points", next.points},
            {"more", page.more}};
  clock.Put(j, "as_of", now_ms);
  clock.Put(j, "enrolled", s.enrolled_at_ms);
  clock.Put(j, "tier_since", s.tier_since_ms);
  clock.Put(j, "tier_review", s.tier_review_at_ms);
  clock.Put(j, "next_expiry", next.at_ms);
  j["lots"] = LotsJson(s, now_ms, clock);
  Json entries = Json::array();
  // Expired, not yet booked by the sweep: the lookup's balance counts them out.
  const int64_t unbooked = s.balance() - b.balance;
  if (unbooked > 0 && page.entries.size() > 0 &&
      page.entries.front().seq + 1 == s.next_ledger_seq) {
    Json e = {{"kind", "expire"},           {"unbooked", true}, {"points", -unbooked},
              {"balance_after", b.balance}, {"rule", "expiry"}, {"transaction_id", ""}};
    clock.Put(e, "at", now_ms);
    entries.push_back(std::move(e));
  }
  for (std::size_t i = 0; i < page.entries.size(); ++i) {
    const LedgerEntry& l = page.entries[i];
    Json e = {{"seq", l.seq},
              {"kind", LedgerKindName(l.kind)},
              {"points", l.points},
              {"balance_after", page.balance_after[i]},
              {"transaction_id", l.transaction_id},
              {"rule", l.rule_id}};
    if (!l.operator_id.empty()) e["operator"] = l.operator_id;
    clock.Put(e, "at", l.at_ms);
    if (auto t = page.txns.find(l.transaction_id); t != page.txns.end()) {
      e["event"] = EventJson(t->second, clock);
    }
    entries.push_back(std::move(e));
  }
  j["entries"] = std::move(entries);
  if (page.more && !page.entries.empty()) j["next_before"] = page.entries.back().seq;
  return j;
}

}  // namespace loyalty
