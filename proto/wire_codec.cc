#include "proto/wire_codec.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/wire_format_lite.h>

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "engine/check.h"
#include "engine/limits.h"

namespace loyalty::wire {
namespace {

Line DecodeLine(const v1::Line& l) {
  return Line{l.sku(),      l.category(),         l.brand(),
              l.quantity(), l.unit_price_minor(), l.line_total_minor(),
              l.offer_id()};
}

// The fields every message from a register (all but enroll, adjust, lookup) carries.
template <typename Msg>
void DecodeAtRegister(const Msg& m, EventKind kind, Event* e) {
  e->kind = kind;
  e->transaction_id = m.transaction_id();
  e->store_id = m.store_id();
  e->register_id = m.register_id();
  e->card = m.card();
  e->event_time_ms = m.event_time_ms();
}

// The fields every sale-like message (purchase, return, redeem) carries.
template <typename Msg>
void DecodeSale(const Msg& m, EventKind kind, Event* e) {
  DecodeAtRegister(m, kind, e);
  e->currency = m.currency();
}

template <typename Msg>
void DecodeLines(const Msg& m, Event* e) {
  e->lines.reserve(static_cast<std::size_t>(m.lines_size()));
  for (const auto& l : m.lines()) e->lines.push_back(DecodeLine(l));
}

v1::Balances EncodeBalances(const Balances& b) {
  v1::Balances out;
  out.set_balance(b.balance);
  out.set_spendable(b.spendable);
  out.set_pending(b.pending);
  out.set_lifetime(b.lifetime);
  return out;
}

int ParseInt(std::string_view s) {
  int v = -1;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return -1;
  return v;
}

std::optional<v1::Error> DecodePurchase(const v1::Purchase& p, Event* e) {
  DecodeSale(p, EventKind::kPurchase, e);
  DecodeLines(p, e);
  e->points = p.redeem_points();
  if (p.total_minor() != 0) {
    // A line total out of range is ValidateEvent's to refuse, naming the
    // line; added up here it could overflow (seen under UBSan in the fuzz build).
    // Lines in range cannot: each takes at least a byte of the frame.
    static_assert(limits::kFrameBytesMax <= INT64_MAX / limits::kLineTotalMinorMax);
    int64_t sum = 0;
    for (const Line& l : e->lines) {
      if (l.line_total_minor < 0 || l.line_total_minor > limits::kLineTotalMinorMax) {
        return std::nullopt;
      }
      sum += l.line_total_minor;
    }
    if (sum != p.total_minor()) {
      return MakeError(v1::INVALID_FIELD, "total_minor",
                       "is " + std::to_string(p.total_minor()) + " but the lines add up to " +
                           std::to_string(sum));
    }
  }
  return std::nullopt;
}

std::optional<v1::Error> DecodeFeedback(const v1::Feedback& f, Event* e) {
  DecodeAtRegister(f, EventKind::kFeedback, e);
  // proto3 would read a missing score as 0, a detractor: say it is missing.
  if (!f.has_score()) return MakeError(v1::INVALID_FIELD, "score", "is required (0..10)");
  e->score = f.score();
  e->comment = f.comment();
  return std::nullopt;
}

std::optional<v1::Error> DecodeConsent(const v1::Consent& c, Event* e) {
  DecodeAtRegister(c, EventKind::kConsent, e);
  if (c.has_marketing()) e->marketing_consent = c.marketing();
  e->consent_source = c.source();
  return std::nullopt;
}

// The soonest pending points to become spendable. A lot is pending until its
// spendable_from, so the pending points are the lots that become spendable
// last, as many as `pending`: no clock is needed here.
struct Release {
  int64_t points = 0;
  TimeMs at_ms = 0;
};
Release NextRelease(const CustomerState& s, int64_t pending) {
  std::vector<const Lot*> lots;
  for (const Lot& l : s.lots) lots.push_back(&l);
  std::sort(lots.begin(), lots.end(),
            [](const Lot* a, const Lot* b) { return a->spendable_from_ms > b->spendable_from_ms; });
  Release r;
  for (const Lot* l : lots) {
    if (pending <= 0) break;
    if (l->spendable_from_ms != r.at_ms) r = {0, l->spendable_from_ms};
    r.points += std::min(l->points, pending);
    pending -= l->points;
  }
  return r;
}

}  // namespace

v1::Error MakeError(v1::ErrorCode code, std::string field, std::string message) {
  v1::Error err;
  err.set_code(code);
  err.set_field(std::move(field));
  err.set_message(std::move(message));
  return err;
}

std::optional<v1::Error> DecodeRequest(const v1::Request& r, Event* e) {
  switch (r.body_case()) {
    case v1::Request::kEnroll: {
      if (!r.enroll().link_to_card().empty()) {  // routed by the customer's card
        e->kind = EventKind::kLinkCard;
        e->card = r.enroll().link_to_card();
        e->new_card = r.enroll().card();
        return std::nullopt;
      }
      e->kind = EventKind::kEnroll;
      e->card = r.enroll().card();
      e->customer_id = r.enroll().customer_id();
      if (r.enroll().has_marketing_consent()) e->marketing_consent = r.enroll().marketing_consent();
      if (!r.enroll().birthday().empty()) {
        e->birthday = ParseBirthday(r.enroll().birthday());
        if (!e->birthday && InvalidUtf8At(r.enroll().birthday())) {
          return MakeError(v1::INVALID_FIELD, "birthday", "is not valid UTF-8");
        }
        if (!e->birthday) {
          return MakeError(v1::INVALID_FIELD, "birthday",
                           "'" + r.enroll().birthday() + "' is not YYYY-MM-DD or --MM-DD");
        }
      }
      return std::nullopt;
    }
    case v1::Request::kPurchase: return DecodePurchase(r.purchase(), e);
    case v1::Request::kPurchaseReturn: {
      const v1::Return& p = r.purchase_return();
      DecodeSale(p, EventKind::kReturn, e);
      e->original_transaction_id = p.original_transaction_id();
      DecodeLines(p, e);
      return std::nullopt;
    }
    case v1::Request::kRedeem: {
      const v1::Redeem& p = r.redeem();
      DecodeSale(p, EventKind::kRedeem, e);
      e->points = p.points();
      e->basket_total_minor = p.basket_total_minor();
      return std::nullopt;
    }
    case v1::Request::kAdjust: {
      const v1::Adjust& a = r.adjust();
      e->kind = EventKind::kAdjust;
      e->transaction_id = a.transaction_id();
      e->card = a.card();
      e->event_time_ms = a.event_time_ms();
      e->points = a.points();
      e->reason = a.reason();
      e->operator_id = a.operator_id();
      e->set_tier = a.set_tier();
      return std::nullopt;
    }
    case v1::Request::kCancelRedeem: {
      DecodeAtRegister(r.cancel_redeem(), EventKind::kCancelRedeem, e);
      e->original_transaction_id = r.cancel_redeem().original_transaction_id();
      return std::nullopt;
    }
    case v1::Request::kFeedback: return DecodeFeedback(r.feedback(), e);
    case v1::Request::kConsent: return DecodeConsent(r.consent(), e);
    case v1::Request::kReplaceCard: {
      const v1::ReplaceCard& m = r.replace_card();
      e->kind = EventKind::kReplaceCard;
      e->transaction_id = m.transaction_id();
      e->card = m.card();
      e->event_time_ms = m.event_time_ms();
      e->new_card = m.new_card();
      e->reason = m.reason();
      e->operator_id = m.operator_id();
      return std::nullopt;
    }
    case v1::Request::kErase: {
      const v1::Erase& m = r.erase();
      e->kind = EventKind::kErase;
      e->transaction_id = m.transaction_id();
      e->card = m.card();
      e->event_time_ms = m.event_time_ms();
      e->reason = m.reason();
      e->operator_id = m.operator_id();
      return std::nullopt;
    }
    case v1::Request::kMerge: {
      const v1::Merge& m = r.merge();
      e->kind = EventKind::kMerge;
      e->transaction_id = m.transaction_id();
      e->card = m.card();
      e->merged_card = m.merged_card();
      e->event_time_ms = m.event_time_ms();
      e->reason = m.reason();
      e->operator_id = m.operator_id();
      return std::nullopt;
    }
    case v1::Request::kLookup:
      e->kind = EventKind::kLookup;
      e->card = r.lookup().card();
      return std::nullopt;
    case v1::Request::kHello:  // answered by the network adapter, never an event
      return MakeError(v1::INVALID_FIELD, "hello",
                       "Hello is the first request of a connection, answered once");
    case v1::Request::BODY_NOT_SET: break;
  }
  return MakeError(v1::UNKNOWN_MESSAGE, "body",
                   "the request carries no message this server knows (protocol loyalty.v1)");
}

v1::Decision EncodeDecision(const Decision& d) {
  v1::Decision out;
  out.set_outcome(static_cast<v1::Outcome>(d.outcome));
  out.set_message(d.message);
  out.set_customer_id(d.customer_id);
  out.set_transaction_id(d.transaction_id);
  out.set_points_earned(d.points_earned);
  out.set_points_spent(d.points_spent);
  out.set_points_reversed(d.points_reversed);
  out.set_points_refunded(d.points_refunded);
  out.set_discount_minor(d.discount_minor);
  for (const RuleAward& a : d.awards) {
    v1::RuleAward* w = out.add_awards();
    w->set_rule_id(a.rule_id);
    w->set_points(a.points);
  }
  for (int64_t p : d.line_points) out.add_line_points(p);
  *out.mutable_balances() = EncodeBalances(d.balances);
  out.set_tier(d.tier);
  out.set_previous_tier(d.previous_tier);
  out.set_rules_version(d.rules_version);
  out.set_next_expiry_points(d.next_expiry.points);
  out.set_next_expiry_ms(d.next_expiry.at_ms);
  for (const OfferShown& o : d.offers) EncodeOffer(o, out.add_offers());
  for (const OfferApplied& a : d.offers_applied) {
    v1::OfferApplied* w = out.add_offers_applied();
    w->set_offer_id(a.offer_id);
    w->set_line(a.line);
    w->set_discount_minor(a.discount_minor);
    w->set_points(a.points);
  }
  out.set_offer_discount_minor(d.offer_discount_minor);
  out.set_lifecycle(static_cast<v1::Lifecycle>(d.lifecycle));
  return out;
}

v1::Profile EncodeProfile(const Profile& p, std::string_view card) {
  v1::Profile out;
  const CustomerState& s = p.state;
  // A customer enrolled without an id of the chain's is known by their first
  // card: that is a card number too.
  const bool id_is_other_card = s.customer_id != card && std::find(s.cards.begin(), s.cards.end(),
                                                                   s.customer_id) != s.cards.end();
  out.set_customer_id(id_is_other_card ? MaskCard(s.customer_id) : s.customer_id);
  for (const std::string& c : s.cards) out.add_cards(c == card ? c : MaskCard(c));
  out.set_enrolled_at_ms(MemberSinceMs(s));
  if (s.birthday) out.set_birthday(FormatBirthday(*s.birthday));
  *out.mutable_balances() = EncodeBalances(p.balances);
  out.set_tier(s.tier);
  out.set_next_expiry_points(p.next_expiry.points);
  out.set_next_expiry_ms(p.next_expiry.at_ms);
  const Release release = NextRelease(s, p.balances.pending);
  out.set_next_release_points(release.points);
  out.set_next_release_ms(release.at_ms);
  out.set_marketing_consent(ConsentName(s.marketing_consent));
  out.set_consent_at_ms(s.consent_at_ms);
  out.set_visits(s.visits);
  out.set_spend_minor(s.spend_minor);
  out.set_last_purchase_ms(s.last_purchase_ms);
  out.set_version(s.version);
  if (p.signals) *out.mutable_signals() = EncodeSignals(*p.signals, s);
  for (const std::string& h : p.hints) out.add_greeting_hints(h);
  for (const OfferShown& o : p.offers) EncodeOffer(o, out.add_offers());
  return out;
}

std::optional<v1::Error> OutcomeAsError(const Decision& d) {
  // Which outcomes travel as errors is the core's (TravelsAsError, which the
  // runtime also uses to write nothing); here only how each is sent.
  if (!TravelsAsError(d.outcome)) return std::nullopt;
  switch (d.outcome) {
    case Outcome::kUnknownCard: return MakeError(v1::UNKNOWN_CARD, "card", d.message);
    case Outcome::kDuplicateDifferentPayload:
      return MakeError(v1::DUPLICATE_DIFFERENT_PAYLOAD, "transaction_id", d.message);
    case Outcome::kPointsPerEventOverMax:
      return MakeError(v1::INVALID_FIELD, "lines", "lines: " + d.message);
    default: LOYALTY_CHECK(false);  // an outcome TravelsAsError names needs its error here
  }
  return std::nullopt;
}

std::string ErrorReply(uint64_t request_id, v1::Error error) {
  v1::Reply reply;
  reply.set_request_id(request_id);
  *reply.mutable_error() = std::move(error);
  return reply.SerializeAsString();
}

std::string SerializeDecisionReply(uint64_t request_id, std::string_view decision_bytes,
                                   ReplyOrigin origin) {
  // Reply { request_id (varint); decision (length-delimited); replayed (varint) }.
  using Lite = google::protobuf::internal::WireFormatLite;
  std::string out;
  {
    google::protobuf::io::StringOutputStream raw(&out);
    google::protobuf::io::CodedOutputStream coded(&raw);
    coded.WriteTag(Lite::MakeTag(v1::Reply::kRequestIdFieldNumber, Lite::WIRETYPE_VARINT));
    coded.WriteVarint64(request_id);
    coded.WriteTag(Lite::MakeTag(v1::Reply::kDecisionFieldNumber, Lite::WIRETYPE_LENGTH_DELIMITED));
    coded.WriteVarint32(static_cast<uint32_t>(decision_bytes.size()));
    coded.WriteRaw(decision_bytes.data(), static_cast<int>(decision_bytes.size()));
    if (origin == ReplyOrigin::kStored) {
      coded.WriteTag(Lite::MakeTag(v1::Reply::kReplayedFieldNumber, Lite::WIRETYPE_VARINT));
      coded.WriteVarint32(1);
    }
  }
  return out;
}

std::optional<Date> ParseBirthday(std::string_view t) {
  Date d;
  if (t.size() == 7 && t.substr(0, 2) == "--" && t[4] == '-') {
    d.month = ParseInt(t.substr(2, 2));
    d.day = ParseInt(t.substr(5, 2));
  } else if (t.size() == 10 && t[4] == '-' && t[7] == '-') {
    d.year = ParseInt(t.substr(0, 4));
    d.month = ParseInt(t.substr(5, 2));
    d.day = ParseInt(t.substr(8, 2));
    if (d.year <= 0) return std::nullopt;
  } else {
    return std::nullopt;
  }
  if (!IsValidDate(d)) return std::nullopt;
  return d;
}

std::string FormatBirthday(const Date& d) {
  char buf[16];
  if (d.year == 0) {
    std::snprintf(buf, sizeof buf, "--%02d-%02d", d.month, d.day);
  } else {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
  }
  return buf;
}

}  // namespace loyalty::wire
