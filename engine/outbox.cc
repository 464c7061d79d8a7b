#include "engine/outbox.h"

#include <algorithm>
#include <cstdio>

#include "engine/calendar.h"
#include "engine/offers.h"
#include "engine/signals.h"

namespace loyalty {
namespace {

const char* LedgerType(LedgerKind kind) {
  switch (kind) {
    case LedgerKind::kEarn: return "loyalty.points.earned";
    case LedgerKind::kSpend: return "loyalty.points.spent";
    case LedgerKind::kExpire: return "loyalty.points.expired";
    case LedgerKind::kReverse: return "loyalty.points.reversed";
    case LedgerKind::kRefund: return "loyalty.points.refunded";
    case LedgerKind::kAdjust: return "loyalty.points.adjusted";
    case LedgerKind::kMerge: return "loyalty.points.merged";
  }
  return "loyalty.points.adjusted";
}

// `text` as a JSON string literal appended to `out` (JsonQuoted): runs of
// plain characters go in one append.
void AppendQuoted(std::string& out, std::string_view text) {
  out += '"';
  std::size_t plain = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto u = static_cast<unsigned char>(text[i]);
    const bool quote = u == '"' || u == '\\';
    if (!quote && u >= 0x20 && u != 0x7f) continue;
    out.append(text.data() + plain, i - plain);
    plain = i + 1;
    if (quote) {
      out += '\\';
      out += static_cast<char>(u);
    } else {  // control characters, and DEL too: YAML reads these strings
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out += buf;
    }
  }
  out.append(text.data() + plain, text.size() - plain);
  out += '"';
}

// {"key": value, ...} built in order, in one string.
class JsonObject {
 public:
  JsonObject() = default;
  explicit JsonObject(std::size_t reserve) { text_.reserve(reserve); }
  JsonObject& Str(std::string_view key, std::string_view value) {
    Key(key);
    AppendQuoted(text_, value);
    return *this;
  }
  JsonObject& Int(std::string_view key, int64_t value) {
    Key(key);
    text_ += std::to_string(value);
    return *this;
  }
  JsonObject& Raw(std::string_view key, std::string_view json) {
    Key(key);
    text_ += json;
    return *this;
  }
  std::string Done() {
    if (text_.empty()) return "{}";
    text_ += '}';
    return std::move(text_);
  }

 private:
  void Key(std::string_view key) {
    text_ += text_.empty() ? '{' : ',';
    AppendQuoted(text_, key);
    text_ += ':';
  }
  std::string text_;
};

int32_t IssuedCount(const CustomerState* s, const std::string& offer_id) {
  if (s == nullptr) return 0;
  for (const OfferUse& u : s->offer_uses) {
    if (u.offer_id == offer_id) return u.holdout ? 0 : u.issued;
  }
  return 0;
}

}  // namespace

bool IsOutboxType(std::string_view type) {
  for (const char* t : kOutboxTypes) {
    if (type == t) return true;
  }
  return false;
}

bool IsMarketingType(std::string_view type) {
  return type == "loyalty.offer.issued" || type == "loyalty.churn.risk_crossed" ||
         type == "loyalty.lifecycle.changed";
}

Result<std::set<std::string>> OutboxTypesOf(std::string_view list) {
  std::set<std::string> types;
  if (list == "all") {
    for (const char* t : kOutboxTypes) types.insert(t);
    return types;
  }
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.empty()) continue;
    if (!IsOutboxType(item)) {
      return Status::Invalid("'" + std::string(item) +
                             "' is no event type (docs/EVENTS.md lists them; or all)");
    }
    types.insert(std::string(item));
  }
  return types;
}

std::string JsonQuoted(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  AppendQuoted(out, text);
  return out;
}

std::string Rfc3339Utc(TimeMs ms) {
  const int64_t day = FloorDiv(ms, kMsPerDay);
  const int64_t in_day = ms - day * kMsPerDay;
  const CivilDay d = CivilFromDays(day);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", static_cast<int>(d.year),
                static_cast<int>(d.month), static_cast<int>(d.day),
                static_cast<int>(in_day / 3'600'000), static_cast<int>(in_day / 60'000 % 60),
                static_cast<int>(in_day / 1'000 % 60), static_cast<int>(in_day % 1'000));
  return buf;
}

std::vector<OutboxEvent> OutboxEventsOf(const OutboxChange& c,
                                        const std::set<std::string>& wanted) {
  std::vector<OutboxEvent> out;
  if (wanted.empty() || c.after == nullptr || c.rules == nullptr) return out;
  const CustomerState& after = *c.after;
  const bool erased = c.event != nullptr && c.event->kind == EventKind::kErase;
  // An erasure's events name the customer as the receivers knew them.
  const std::string& who = erased && c.before ? c.before->customer_id : after.customer_id;
  const std::string txn = c.event ? c.event->transaction_id : "";
  const TimeMs at = c.event ? c.event->event_time_ms : c.now_ms;
  const std::string store = c.event ? c.event->store_id : "";
  const bool marketing = MarketingAllowed(after, *c.rules);
  auto add = [&](const char* type, std::string id, std::string data) {
    if (wanted.count(type) == 0) return;
    const bool for_marketing = IsMarketingType(type);
    if (for_marketing && !marketing) return;
    out.push_back(
        {std::move(id), type, who, at, for_marketing ? "marketing" : "service", std::move(data)});
  };
  if (c.before == nullptr) {
    add("loyalty.customer.enrolled", "enrolled:" + who,
        JsonObject()
            .Str("customer_id", who)
            .Str("store_id", store)
            .Str("tier", after.tier)
            .Str("marketing_consent", ConsentName(after.marketing_consent))
            .Str("transaction_id", txn)
            .Done());
  }
  if (erased) {
    add("loyalty.customer.erased", "erased:" + who,
        JsonObject()
            .Str("customer_id", who)
            .Str("pseudonym", after.customer_id)
            .Str("transaction_id", txn)
            .Done());
  }
  if (c.event != nullptr && c.event->kind == EventKind::kReplaceCard) {
    add("loyalty.card.replaced", "card-replaced:" + who + ":" + txn,
        JsonObject()
            .Str("customer_id", who)
            .Str("card", c.event->new_card)
            .Str("previous_card", c.event->card)
            .Str("reason", c.event->reason)
            .Str("transaction_id", txn)
            .Done());
  }
  if (c.before != nullptr && c.before->lifecycle_stage != 0 && after.lifecycle_stage != 0 &&
      after.lifecycle_stage != c.before->lifecycle_stage) {
    const auto name = [](uint8_t stage) { return LifecycleName(static_cast<Lifecycle>(stage)); };
    add("loyalty.lifecycle.changed", "lifecycle:" + who + ":" + std::to_string(after.version),
        JsonObject()
            .Str("customer_id", who)
            .Str("from", name(c.before->lifecycle_stage))
            .Str("to", name(after.lifecycle_stage))
            .Str("tier", after.tier)
            .Str("transaction_id", txn)
            .Done());
  }
  if (c.event != nullptr && c.event->kind == EventKind::kLinkCard) {
    add("loyalty.card.linked", "card-linked:" + who + ":" + c.event->new_card,
        JsonObject()
            .Str("customer_id", who)
            .Str("card", c.event->new_card)
            .Str("linked_to", c.event->card)
            .Str("store_id", store)
            .Done());
  }
  if (c.merged != nullptr) {
    add("loyalty.customers.merged", "merged:" + c.merged->customer_id + ":" + txn,
        JsonObject()
            .Str("customer_id", who)
            .Str("merged_customer_id", c.merged->customer_id)
            .Str("merged_card", c.event ? c.event->merged_card : "")
            .Int("balance", after.balance())
            .Str("tier", after.tier)
            .Str("reason", c.event ? c.event->reason : "")
            .Str("transaction_id", txn)
            .Done());
  }
  if (c.before != nullptr && !erased &&
      (c.before->marketing_consent != after.marketing_consent ||
       c.before->consent_at_ms != after.consent_at_ms)) {
    add("loyalty.consent.changed", "consent:" + who + ":" + txn,
        JsonObject()
            .Str("customer_id", who)
            .Str("marketing_consent", ConsentName(after.marketing_consent))
            .Str("was", ConsentName(c.before->marketing_consent))
            .Int("at_ms", after.consent_at_ms)
            .Str("at", Rfc3339Utc(after.consent_at_ms))
            .Str("source", after.consent_source)
            .Str("transaction_id", txn)
            .Done());
  }
  if (c.event != nullptr && c.event->kind == EventKind::kFeedback &&
      NpsGroupOf(c.event->score) == NpsGroup::kDetractor && c.decision != nullptr &&
      c.decision->outcome == Outcome::kApplied) {
    add("loyalty.feedback.detractor", "feedback:" + who + ":" + txn,
        JsonObject()
            .Str("customer_id", who)
            .Int("score", c.event->score)
            .Str("comment", c.event->comment)
            .Str("store_id", store)
            .Str("tier", after.tier)
            .Int("spend_minor", after.spend_minor)
            .Str("currency", c.rules->program.currency)
            .Str("transaction_id", txn)
            .Done());
  }
  const std::string& currency = c.rules->program.currency;
  if (c.ledger != nullptr) {
    for (const LedgerEntry& e : *c.ledger) {
      JsonObject data;
      data.Str("customer_id", who)
          .Int("points", e.points)
          .Int("ledger_seq", static_cast<int64_t>(e.seq))
          .Str("transaction_id", e.transaction_id)
          .Str("rule_id", e.rule_id)
          .Str("store_id", store)
          .Int("balance_after", after.balance())
          .Str("currency", currency);
      add(LedgerType(e.kind), "ledger:" + who + ":" + std::to_string(e.seq), data.Done());
    }
  }
  for (const Lot& lot : after.lots) {
    if (!lot.noticed || c.before == nullptr) continue;
    const bool was_noticed =
        std::any_of(c.before->lots.begin(), c.before->lots.end(), [&](const Lot& b) {
          return b.noticed && b.earned_at_ms == lot.earned_at_ms &&
                 b.expires_at_ms == lot.expires_at_ms;
        });
    if (was_noticed) continue;
    const int32_t offset = c.rules->program.utc_offset_minutes;
    add("loyalty.points.expiring",
        "expiring:" + who + ":" + std::to_string(lot.earned_at_ms) + ":" +
            std::to_string(lot.expires_at_ms),
        JsonObject()
            .Str("customer_id", who)
            .Int("points", lot.points)
            .Int("expires_at_ms", lot.expires_at_ms)
            .Str("expires_at", Rfc3339Utc(lot.expires_at_ms))
            .Str("expires_on",
                 Rfc3339Utc(lot.expires_at_ms + int64_t{offset} * 60'000).substr(0, 10))
            .Int("days_left", (lot.expires_at_ms - c.now_ms + kMsPerDay - 1) / kMsPerDay)
            .Int("balance", after.balance())
            .Str("earned_on", Rfc3339Utc(lot.earned_at_ms).substr(0, 10))
            .Str("transaction_id", lot.source_transaction_id)
            .Done());
  }
  if (c.before != nullptr && after.churn_alerted_after_ms != c.before->churn_alerted_after_ms &&
      after.churn_alerted_after_ms != 0) {
    const Signals g = SignalsOf(after, *c.rules, c.now_ms, nullptr);
    add("loyalty.churn.risk_crossed",
        "churn:" + who + ":" + std::to_string(after.churn_alerted_after_ms),
        JsonObject()
            .Str("customer_id", who)
            .Int("churn_risk_permille", g.churn_risk_permille)
            .Int("threshold_permille", c.rules->churn.alert_permille)
            .Str("lifecycle", LifecycleName(g.lifecycle))
            .Int("days_since_purchase", g.days_since_purchase)
            .Int("usual_interval_days", g.usual_interval_days)
            .Int("spend_12m_minor", g.spend_12m_minor)
            .Str("currency", c.rules->program.currency)
            .Str("tier", after.tier)
            .Int("balance", after.balance())
            .Str("last_purchase_at", Rfc3339Utc(after.last_purchase_ms))
            .Done());
  }
  if (c.before != nullptr && c.before->tier != after.tier) {
    const std::string when = txn.empty() ? std::to_string(at) : txn;
    add("loyalty.tier.changed", "tier:" + who + ":" + when,
        JsonObject()
            .Str("customer_id", who)
            .Str("from", c.before->tier)
            .Str("to", after.tier)
            .Str("reason", c.event ? "qualified by this event" : "tier review")
            .Str("transaction_id", txn)
            .Done());
  }
  for (const OfferUse& u : after.offer_uses) {
    const int32_t was = IssuedCount(c.before, u.offer_id);
    const int32_t now = u.holdout ? 0 : u.issued;
    for (int32_t n = was + 1; n <= now; ++n) {
      const Offer* o = c.rules->FindOffer(u.offer_id);
      add("loyalty.offer.issued",
          "offer-issued:" + who + ":" + u.offer_id + ":" + std::to_string(n),
          JsonObject()
              .Str("customer_id", who)
              .Str("offer_id", u.offer_id)
              .Str("name", o && !o->name.empty() ? o->name : u.offer_id)
              .Int("valid_until_ms",
                   u.last_issued_ms + (o ? int64_t{o->valid_days} * kMsPerDay : 0))
              .Str("transaction_id", txn)
              .Done());
    }
  }
  if (c.decision != nullptr) {
    for (const OfferApplied& a : c.decision->offers_applied) {
      add("loyalty.offer.redeemed", "offer-redeemed:" + who + ":" + txn + ":" + a.offer_id,
          JsonObject()
              .Str("customer_id", who)
              .Str("offer_id", a.offer_id)
              .Int("discount_minor", a.discount_minor)
              .Int("bonus_points", a.points)
              .Str("currency", currency)
              .Str("transaction_id", txn)
              .Done());
    }
  }
  return out;
}

std::string CloudEventJson(const OutboxEvent& e, std::string_view source) {
  // The names and the fixed values take about 150 bytes.
  return JsonObject(192 + e.id.size() + source.size() + e.type.size() + e.customer_id.size() +
                    e.data.size())
      .Str("specversion", "1.0")
      .Str("id", e.id)
      .Str("source", source)
      .Str("type", e.type)
      .Str("subject", e.customer_id)
      .Str("time", Rfc3339Utc(e.time_ms))
      .Str("datacontenttype", "application/json")
      .Str("purpose", e.purpose)
      .Raw("data", e.data)
      .Done();
}

}  // namespace loyalty
