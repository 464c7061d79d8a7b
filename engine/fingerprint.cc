// Fingerprint: FNV-1a 64 over a canonical encoding of the event's payload.
// The event time is left out on purpose: a register (or a person re-running
// the CLI) may re-stamp a resend, and it is still the same sale.
// Each field is length- or width-prefixed so "ab"+"c" differs from "a"+"bc".
// Stored in transaction records: changing this encoding changes which retries
// count as "the same payload", so it is versioned by the store schema.

#include "engine/event.h"
#include "engine/fnv.h"

namespace loyalty {

uint64_t Fingerprint(const Event& e) {
  Fnv f;
  f.Int(static_cast<int64_t>(e.kind));
  f.Str(e.transaction_id);
  f.Str(e.original_transaction_id);
  f.Str(e.card);
  f.Str(e.customer_id);
  f.Str(e.store_id);
  f.Str(e.register_id);
  f.Str(e.currency);
  f.Int(static_cast<int64_t>(e.lines.size()));
  for (const Line& l : e.lines) {
    f.Str(l.sku);
    f.Str(l.category);
    f.Str(l.brand);
    f.Int(l.quantity);
    f.Int(l.unit_price_minor);
    f.Int(l.line_total_minor);
  }
  f.Int(e.points);
  f.Int(e.basket_total_minor);
  f.Int(e.birthday ? e.birthday->year * 10000 + e.birthday->month * 100 + e.birthday->day : -1);
  // Fields added later are hashed only when set, so the fingerprints of
  // records already stored do not change.
  if (!e.reason.empty() || !e.operator_id.empty() || !e.set_tier.empty()) {
    f.Str(e.reason);
    f.Str(e.operator_id);
    f.Str(e.set_tier);
  }
  if (e.score >= 0 || !e.comment.empty()) {
    f.Int(e.score);
    f.Str(e.comment);
  }
  if (e.marketing_consent || !e.consent_source.empty()) {
    f.Int(e.marketing_consent ? (*e.marketing_consent ? 1 : 0) : -1);
    f.Str(e.consent_source);
  }
  if (!e.new_card.empty()) f.Str(e.new_card);
  if (!e.merged_card.empty()) f.Str(e.merged_card);
  bool offers = false;
  for (const Line& l : e.lines) offers = offers || !l.offer_id.empty();
  if (offers) {
    for (const Line& l : e.lines) f.Str(l.offer_id);
  }
  return f.value();
}

}  // namespace loyalty
