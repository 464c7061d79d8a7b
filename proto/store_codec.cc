#include "proto/store_codec.h"

#include <google/protobuf/arena.h>

#include "engine/rules.h"
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

// Lots and the slices a redemption took from them share one stored shape.
template <typename LotLike>
void PutLot(const LotLike& l, sv1::Lot* o) {
  o->set_points(l.points);
  o->set_earned_at_ms(l.earned_at_ms);
  o->set_spendable_from_ms(l.spendable_from_ms);
  o->set_expires_at_ms(l.expires_at_ms);
  o->set_source_transaction_id(l.source_transaction_id);
  if (l.noticed) o->set_noticed(true);
}

template <typename LotLike>
LotLike GetLot(const sv1::Lot& l) {
  return LotLike{l.points(),        l.earned_at_ms(),          l.spendable_from_ms(),
                 l.expires_at_ms(), l.source_transaction_id(), l.noticed()};
}

void PutAffinities(const std::vector<Affinity>& in,
                   google::protobuf::RepeatedPtrField<sv1::Affinity>* out) {
  for (const Affinity& a : in) {
    sv1::Affinity* o = out->Add();
    o->set_key(a.key);
    o->set_weight(a.weight);
  }
}

std::vector<Affinity> GetAffinities(const google::protobuf::RepeatedPtrField<sv1::Affinity>& in) {
  std::vector<Affinity> out;
  out.reserve(static_cast<std::size_t>(in.size()));
  for (const sv1::Affinity& a : in) out.push_back({a.key(), a.weight()});
  return out;
}

// The behaviour profile (engine/profile.h), beyond visits and spend.
void PutProfile(const CustomerState& s, sv1::Customer& m) {
  m.set_gross_spend_minor(s.gross_spend_minor);
  m.set_items(s.items);
  m.set_returns(s.returns);
  m.set_returned_minor(s.returned_minor);
  m.set_redemptions(s.redemptions);
  m.set_redeemed_points(s.redeemed_points);
  m.set_redeemed_minor(s.redeemed_minor);
  m.set_offer_discount_minor(s.offer_discount_minor);
  m.set_offers_issued(s.offers_issued);
  m.set_offers_redeemed(s.offers_redeemed);
  m.set_affinity_at_ms(s.affinity_at_ms);
  PutAffinities(s.category_affinity, m.mutable_category_affinity());
  PutAffinities(s.brand_affinity, m.mutable_brand_affinity());
  PutAffinities(s.store_affinity, m.mutable_store_affinity());
  if (s.nps_score >= 0) m.set_nps_score(s.nps_score);
  m.set_nps_at_ms(s.nps_at_ms);
  m.set_nps_store(s.nps_store);
  m.set_nps_comment(s.nps_comment);
  m.set_feedbacks(s.feedbacks);
  for (const OfferUse& u : s.offer_uses) {
    sv1::OfferUse* o = m.add_offer_uses();
    o->set_offer_id(u.offer_id);
    o->set_holdout(u.holdout);
    o->set_first_issued_ms(u.first_issued_ms);
    o->set_last_issued_ms(u.last_issued_ms);
    o->set_issued(u.issued);
    o->set_redeemed(u.redeemed);
    o->set_spend_since_minor(u.spend_since_minor);
    o->set_visits_since(u.visits_since);
  }
  m.set_marketing_consent(static_cast<uint32_t>(s.marketing_consent));
  m.set_consent_at_ms(s.consent_at_ms);
  m.set_consent_source(s.consent_source);
  m.set_churn_alerted_after_ms(s.churn_alerted_after_ms);
  m.set_route_card(s.route_card);
  m.set_merged_into(s.merged_into);
  m.set_lifecycle_stage(s.lifecycle_stage);
}

void GetProfile(const sv1::Customer& m, CustomerState& s) {
  s.gross_spend_minor = m.gross_spend_minor();
  s.items = m.items();
  s.returns = m.returns();
  s.returned_minor = m.returned_minor();
  s.redemptions = m.redemptions();
  s.redeemed_points = m.redeemed_points();
  s.redeemed_minor = m.redeemed_minor();
  s.offer_discount_minor = m.offer_discount_minor();
  s.offers_issued = m.offers_issued();
  s.offers_redeemed = m.offers_redeemed();
  s.affinity_at_ms = m.affinity_at_ms();
  s.category_affinity = GetAffinities(m.category_affinity());
  s.brand_affinity = GetAffinities(m.brand_affinity());
  s.store_affinity = GetAffinities(m.store_affinity());
  s.nps_score = m.has_nps_score() ? m.nps_score() : -1;
  s.nps_at_ms = m.nps_at_ms();
  s.nps_store = m.nps_store();
  s.nps_comment = m.nps_comment();
  s.feedbacks = m.feedbacks();
  for (const sv1::OfferUse& u : m.offer_uses()) {
    s.offer_uses.push_back({u.offer_id(), u.holdout(), u.first_issued_ms(), u.last_issued_ms(),
                            u.issued(), u.redeemed(), u.spend_since_minor(), u.visits_since()});
  }
  // An unknown value (a newer writer's) reads as not asked: never as a yes.
  s.marketing_consent = m.marketing_consent() <= static_cast<uint32_t>(Consent::kRefused)
                            ? static_cast<Consent>(m.marketing_consent())
                            : Consent::kUnknown;
  s.consent_at_ms = m.consent_at_ms();
  s.consent_source = m.consent_source();
  s.churn_alerted_after_ms = m.churn_alerted_after_ms();
  s.route_card = m.route_card();
  s.merged_into = m.merged_into();
  s.lifecycle_stage = static_cast<uint8_t>(m.lifecycle_stage());
}

// Builds message M on an arena whose first block is on the stack, then
// serializes it: the strings and repeated fields of a customer or a
// transaction record (one per basket line) cost no malloc each. perf put a
// third of the shard thread's mallocs here (docs/BENCHMARKS.md).
template <typename M, typename Fill>
std::string EncodeOnArena(Fill fill) {
  alignas(16) char block[16 << 10];
  google::protobuf::ArenaOptions options;
  options.initial_block = block;
  options.initial_block_size = sizeof block;
  google::protobuf::Arena arena(options);
  M* m = google::protobuf::Arena::CreateMessage<M>(&arena);
  fill(*m);
  return m->SerializeAsString();
}

void FillCustomer(const CustomerState& s, sv1::Customer& m);

}  // namespace

std::string EncodeCustomer(const CustomerState& s) {
  return EncodeOnArena<sv1::Customer>([&](sv1::Customer& m) { FillCustomer(s, m); });
}

namespace {
void FillCustomer(const CustomerState& s, sv1::Customer& m) {
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
    PutLot(l, o);
  }
  m.set_debt_points(s.debt_points);
  m.set_lifetime_points(s.lifetime_points);
  m.set_tier(s.tier);
  m.set_visits(s.visits);
  m.set_spend_minor(s.spend_minor);
  m.set_first_purchase_ms(s.first_purchase_ms);
  m.set_last_purchase_ms(s.last_purchase_ms);
  m.set_tier_since_ms(s.tier_since_ms);
  m.set_tier_review_at_ms(s.tier_review_at_ms);
  for (const MonthStat& ms : s.months) {
    sv1::MonthStat* o = m.add_months();
    o->set_month(ms.month);
    o->set_spend_minor(ms.spend_minor);
    o->set_visits(ms.visits);
  }
  for (const RuleUse& u : s.rule_uses) {
    sv1::RuleUse* o = m.add_rule_uses();
    o->set_rule_id(u.rule_id);
    o->set_total(u.total);
    o->set_day_ms(u.day_ms);
    o->set_day_count(u.day_count);
    o->set_year(u.year);
    o->set_year_count(u.year_count);
  }
  PutProfile(s, m);
}
}  // namespace

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
  for (const sv1::Lot& l : m.lots()) s.lots.push_back(GetLot<Lot>(l));
  s.debt_points = m.debt_points();
  s.lifetime_points = m.lifetime_points();
  s.tier = m.tier();
  s.visits = m.visits();
  s.spend_minor = m.spend_minor();
  s.first_purchase_ms = m.first_purchase_ms();
  s.last_purchase_ms = m.last_purchase_ms();
  s.tier_since_ms = m.tier_since_ms();
  s.tier_review_at_ms = m.tier_review_at_ms();
  for (const sv1::MonthStat& ms : m.months()) {
    s.months.push_back({ms.month(), ms.spend_minor(), ms.visits()});
  }
  for (const sv1::RuleUse& u : m.rule_uses()) {
    s.rule_uses.push_back(
        {u.rule_id(), u.total(), u.day_ms(), u.day_count(), u.year(), u.year_count()});
  }
  if (m.lifecycle_stage() > static_cast<uint32_t>(loyalty::kLifecycleStages)) {
    return Status::Corruption("customer has unknown lifecycle stage " +
                              std::to_string(m.lifecycle_stage()));
  }
  GetProfile(m, s);
  return s;
}

std::string EncodeLedgerEntry(const LedgerEntry& e) {
  sv1::LedgerEntry m;
  m.set_kind(static_cast<uint32_t>(e.kind));
  m.set_points(e.points);
  m.set_transaction_id(e.transaction_id);
  m.set_rule_id(e.rule_id);
  m.set_at_ms(e.at_ms);
  m.set_operator_id(e.operator_id);
  return m.SerializeAsString();
}

Result<LedgerEntry> DecodeLedgerEntry(std::string_view bytes, std::string customer_id,
                                      uint64_t seq) {
  sv1::LedgerEntry m;
  if (Status st = Parse(m, bytes, "ledger"); !st.ok()) return st;
  if (m.kind() < 1 || m.kind() > static_cast<uint32_t>(LedgerKind::kMerge)) {
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
  e.operator_id = m.operator_id();
  return e;
}

std::string EncodeTxn(const TxnRecord& t, TimeMs stored_at_ms) {
  return EncodeOnArena<sv1::Txn>([&](sv1::Txn& m) {
    m.set_fingerprint(t.fingerprint);
    m.set_kind(static_cast<uint32_t>(t.kind));
    m.set_outcome(static_cast<uint32_t>(t.outcome));
    m.set_customer_id(t.customer_id);
    m.set_event_time_ms(t.event_time_ms);
    m.set_store_id(t.store_id);
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
    for (const SpentSlice& sl : t.spent) PutLot(sl, m.add_spent());
    m.set_points_refunded(t.points_refunded);
    m.set_cancelled(t.cancelled);
    m.set_reply(t.reply);
    m.set_stored_at_ms(stored_at_ms);
  });
}

Result<TxnRecord> DecodeTxn(std::string_view bytes, std::string transaction_id,
                            TimeMs* stored_at_ms) {
  sv1::Txn m;
  if (Status st = Parse(m, bytes, "transaction"); !st.ok()) return st;
  // The enums are one byte: a cast alone would read kind 258 as a purchase.
  if (m.kind() < static_cast<uint32_t>(EventKind::kEnroll) ||
      m.kind() > static_cast<uint32_t>(EventKind::kMerge)) {
    return Status::Corruption("transaction record has unknown kind " + std::to_string(m.kind()));
  }
  if (m.outcome() < static_cast<uint32_t>(Outcome::kApplied) ||
      m.outcome() > static_cast<uint32_t>(Outcome::kPointsPerEventOverMax)) {
    return Status::Corruption("transaction record has unknown outcome " +
                              std::to_string(m.outcome()));
  }
  TxnRecord t;
  t.transaction_id = std::move(transaction_id);
  t.fingerprint = m.fingerprint();
  t.kind = static_cast<EventKind>(m.kind());
  t.outcome = static_cast<Outcome>(m.outcome());
  t.customer_id = m.customer_id();
  t.event_time_ms = m.event_time_ms();
  t.store_id = m.store_id();
  for (const sv1::TxnLine& l : m.lines()) {
    t.lines.push_back({l.sku(), l.quantity(), l.line_total_minor(), l.points(),
                       l.returned_quantity(), l.points_reversed()});
  }
  t.points_spent = m.points_spent();
  for (const sv1::Lot& l : m.spent()) t.spent.push_back(GetLot<SpentSlice>(l));
  t.points_refunded = m.points_refunded();
  t.cancelled = m.cancelled();
  t.reply = m.reply();
  if (stored_at_ms != nullptr) *stored_at_ms = m.stored_at_ms();
  return t;
}

}  // namespace loyalty::store_codec
