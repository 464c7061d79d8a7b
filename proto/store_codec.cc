#include "proto/store_codec.h"

#include "loyalty/v1/store.pb.h"

namespace loyalty::store_codec {
namespace sv1 = loyalty::store::v1;
namespace {

template <typename Msg>
Status Parse(Msg& msg, std::string_view bytes, const char* what) {
  if (!msg.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Status::Corruption(std::string(what) + " record does not decode");
  }
  return Status::Ok();
}

}  // namespace

std::string EncodeCustomer(const CustomerState& s) {
  sv1::Customer m;
  m.set_customer_id(s.customer_id);
  for (const std::string& c : s.cards) m.add_cards(c);
  m.set_enrolled_at_ms(s.enrolled_at_ms);
  if (s.birthday) {
    m.mutable_birthday()->set_year(s.birthday->year);
    m.mutable_birthday()->set_month(s.birthday->month);
    m.mutable_birthday()->set_day(s.birthday->day);
  }
  m.set_version(s.version);
  m.set_next_ledger_seq(s.next_ledger_seq);
  for (const Lot& l : s.lots) {
    sv1::Lot* o = m.add_lots();
    o->set_points(l.points);
    o->set_earned_at_ms(l.earned_at_ms);
    o->set_spendable_from_ms(l.spendable_from_ms);
    o->set_expires_at_ms(l.expires_at_ms);
    o->set_source_transaction_id(l.source_transaction_id);
  }
  m.set_debt_points(s.debt_points);
  m.set_lifetime_points(s.lifetime_points);
  m.set_tier(s.tier);
  m.set_visits(s.visits);
  m.set_spend_minor(s.spend_minor);
  m.set_first_purchase_ms(s.first_purchase_ms);
  m.set_last_purchase_ms(s.last_purchase_ms);
  return m.SerializeAsString();
}

Result<CustomerState> DecodeCustomer(std::string_view bytes) {
  sv1::Customer m;
  if (Status st = Parse(m, bytes, "customer"); !st.ok()) return st;
  CustomerState s;
  s.customer_id = m.customer_id();
  s.cards.assign(m.cards().begin(), m.cards().end());
  s.enrolled_at_ms = m.enrolled_at_ms();
  if (m.has_birthday())
    s.birthday = Date{m.birthday().year(), m.birthday().month(), m.birthday().day()};
  s.version = m.version();
  s.next_ledger_seq = m.next_ledger_seq();
  for (const sv1::Lot& l : m.lots()) {
    s.lots.push_back({l.points(), l.earned_at_ms(), l.spendable_from_ms(), l.expires_at_ms(),
                      l.source_transaction_id()});
  }
  s.debt_points = m.debt_points();
  s.lifetime_points = m.lifetime_points();
  s.tier = m.tier();
  s.visits = m.visits();
  s.spend_minor = m.spend_minor();
  s.first_purchase_ms = m.first_purchase_ms();
  s.last_purchase_ms = m.last_purchase_ms();
  return s;
}

std::string EncodeLedgerEntry(const LedgerEntry& e) {
  sv1::LedgerEntry m;
  m.set_kind(static_cast<uint32_t>(e.kind));
  m.set_points(e.points);
  m.set_transaction_id(e.transaction_id);
  m.set_rule_id(e.rule_id);
  m.set_at_ms(e.at_ms);
  return m.SerializeAsString();
}

Result<LedgerEntry> DecodeLedgerEntry(std::string_view bytes, std::string customer_id,
                                      uint64_t seq) {
  sv1::LedgerEntry m;
  if (Status st = Parse(m, bytes, "ledger"); !st.ok()) return st;
  if (m.kind() < 1 || m.kind() > static_cast<uint32_t>(LedgerKind::kAdjust)) {
    return Status::Corruption("ledger entry has unknown kind " + std::to_string(m.kind()));
  }
  LedgerEntry e;
  e.customer_id = std::move(customer_id);
  e.seq = seq;
  e.kind = static_cast<LedgerKind>(m.kind());
  e.points = m.points();
  e.transaction_id = m.transaction_id();
  e.rule_id = m.rule_id();
  e.at_ms = m.at_ms();
  return e;
}

std::string EncodeTxn(const TxnRecord& t, TimeMs stored_at_ms) {
  sv1::Txn m;
  m.set_fingerprint(t.fingerprint);
  m.set_kind(static_cast<uint32_t>(t.kind));
  m.set_outcome(static_cast<uint32_t>(t.outcome));
  m.set_customer_id(t.customer_id);
  m.set_event_time_ms(t.event_time_ms);
  for (const TxnLine& l : t.lines) {
    sv1::TxnLine* o = m.add_lines();
    o->set_sku(l.sku);
    o->set_quantity(l.quantity);
    o->set_line_total_minor(l.line_total_minor);
    o->set_points(l.points);
    o->set_returned_quantity(l.returned_quantity);
    o->set_points_reversed(l.points_reversed);
  }
  m.set_points_spent(t.points_spent);
  m.set_reply(t.reply);
  m.set_stored_at_ms(stored_at_ms);
  return m.SerializeAsString();
}

Result<TxnRecord> DecodeTxn(std::string_view bytes, std::string transaction_id,
                            TimeMs* stored_at_ms) {
  sv1::Txn m;
  if (Status st = Parse(m, bytes, "transaction"); !st.ok()) return st;
  TxnRecord t;
  t.transaction_id = std::move(transaction_id);
  t.fingerprint = m.fingerprint();
  t.kind = static_cast<EventKind>(m.kind());
  t.outcome = static_cast<Outcome>(m.outcome());
  t.customer_id = m.customer_id();
  t.event_time_ms = m.event_time_ms();
  for (const sv1::TxnLine& l : m.lines()) {
    t.lines.push_back({l.sku(), l.quantity(), l.line_total_minor(), l.points(),
                       l.returned_quantity(), l.points_reversed()});
  }
  t.points_spent = m.points_spent();
  t.reply = m.reply();
  if (stored_at_ms != nullptr) *stored_at_ms = m.stored_at_ms();
  return t;
}

}  // namespace loyalty::store_codec
