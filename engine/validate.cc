#include "engine/validate.h"

#include <string_view>

#include "engine/limits.h"
#include "engine/money.h"

namespace loyalty {
namespace {

using Error = std::optional<FieldError>;

// The field's name is made into a string only here, on a refusal: a valid
// event, the usual one, allocates none.
Error Fail(std::string_view field, std::string reason) {
  return FieldError{std::string(field), std::move(reason)};
}

// Identifiers: 1..kIdBytesMax printable ASCII characters without spaces, so
// they can be keys, log fields and CLI arguments without quoting.
Error CheckId(const std::string& value, const char* field, bool required) {
  if (value.empty()) {
    return required ? Fail(field, "is required") : std::nullopt;
  }
  if (value.size() > limits::kIdBytesMax) {
    return Fail(field, "is " + std::to_string(value.size()) + " bytes; at most " +
                           std::to_string(limits::kIdBytesMax) + " allowed");
  }
  for (unsigned char c : value) {
    if (c < 0x21 || c > 0x7e) return Fail(field, "must be printable ASCII without spaces");
  }
  return std::nullopt;
}

Error CheckRange(int64_t value, int64_t lo, int64_t hi, std::string_view field) {
  if (value >= lo && value <= hi) return std::nullopt;
  return Fail(field, "must be between " + std::to_string(lo) + " and " + std::to_string(hi) +
                         ", got " + std::to_string(value));
}

Error CheckCurrency(const Event& e, const RuleSet& rules) {
  if (e.currency.empty()) return Fail("currency", "is required (ISO 4217, e.g. EUR)");
  // Checked as an id first: the reason quotes the code, and a reply must
  // carry valid UTF-8.
  if (auto err = CheckId(e.currency, "currency", true)) return err;
  if (!CurrencyExponent(e.currency)) {
    return Fail("currency", "'" + e.currency + "' is not an ISO 4217 currency code");
  }
  if (e.currency != rules.program.currency) {
    return Fail("currency",
                "the program runs in " + rules.program.currency + ", not " + e.currency);
  }
  return std::nullopt;
}

// Event time: at most 5 minutes ahead of the server clock and at most
// `event_age_max_days` behind it. An older sale would skip its pending window
// or earn points born expired; with the event clock (loyaltyd --clock event,
// simulation) "now" is the latest event seen, so history in order passes.
Error CheckTime(const Event& e, const RuleSet& rules, TimeMs now_ms) {
  if (e.event_time_ms <= 0) return Fail("event_time_ms", "is required (ms since the epoch)");
  if (e.event_time_ms > now_ms + limits::kEventTimeAheadMsMax) {
    return Fail("event_time_ms", "is more than 5 minutes ahead of the server clock");
  }
  const int32_t days = rules.program.limits.event_age_max_days;
  if (e.event_time_ms < now_ms - days * kMsPerDay) {
    return Fail("event_time_ms", "is more than " + std::to_string(days) +
                                     " days before the server clock (program.limits."
                                     "event_age_max_days); send older sales to the support desk");
  }
  return std::nullopt;
}

std::string Amount(int64_t minor, const std::string& currency) {
  return FormatMinor(minor, CurrencyExponent(currency).value_or(2)) + " " + currency;
}

// Points asked for by the event itself (spent or adjusted), within the
// program's points_per_event_max.
Error CheckPoints(int64_t points, int64_t lo, const RuleSet& rules, const char* field) {
  const int64_t max = rules.program.limits.points_per_event_max;
  if (points > max || points < -max) {
    return Fail(field, std::to_string(points) + " points is beyond the maximum of " +
                           std::to_string(max) + " points per event (program.limits." +
                           "points_per_event_max)");
  }
  return CheckRange(points, lo, max, field);
}

// Offers named by basket lines: known to the rules, at most once a basket,
// and only on purchases.
Error CheckOffers(const Event& e, const RuleSet& rules, bool is_return) {
  for (std::size_t i = 0; i < e.lines.size(); ++i) {
    const std::string& id = e.lines[i].offer_id;
    if (id.empty()) continue;
    const std::string field = "lines[" + std::to_string(i) + "].offer_id";
    if (auto err = CheckId(id, field.c_str(), false)) return err;
    if (is_return) return Fail(field, "offers are redeemed by purchases, not returns");
    if (rules.FindOffer(id) == nullptr) {
      return Fail(field,
                  "'" + id + "' is not an offer of rules version " + std::to_string(rules.version));
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (e.lines[j].offer_id == id) {
        return Fail(field, "offer '" + id + "' is already redeemed by lines[" + std::to_string(j) +
                               "]; one line per offer");
      }
    }
  }
  return std::nullopt;
}

// Free text (a comment, a category or brand name): at most `bytes_max` bytes
// of UTF-8 without control characters (a comment may break lines).
Error CheckText(const std::string& text, std::string_view field, std::size_t bytes_max,
                bool newlines) {
  if (text.size() > bytes_max) {
    return Fail(field, "is " + std::to_string(text.size()) + " bytes; at most " +
                           std::to_string(bytes_max) + " allowed");
  }
  if (auto at = InvalidUtf8At(text)) {
    return Fail(field, "is not valid UTF-8 (byte " + std::to_string(*at) + ")");
  }
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 || c == 0x7f) && !(newlines && c == '\n')) {
      return Fail(field, "has a control character at byte " + std::to_string(i));
    }
  }
  return std::nullopt;
}

// A line may be discounted, never dearer than quantity x unit price. A line
// without a unit price (0: the register does not send it) is bounded only by
// kLineTotalMinorMax and the basket maximum.
// Its fields named as within the line ("sku"): CheckLines puts the line in
// front ("lines[3].sku") of a refusal.
Error CheckLine(const Line& l, const std::string& currency) {
  if (auto err = CheckId(l.sku, "sku", true)) return err;
  if (auto err = CheckText(l.category, "category", limits::kCategoryBytesMax, false)) return err;
  if (auto err = CheckText(l.brand, "brand", limits::kCategoryBytesMax, false)) return err;
  if (auto err = CheckRange(l.quantity, 1, limits::kQuantityMax, "quantity")) return err;
  if (auto err =
          CheckRange(l.unit_price_minor, 0, limits::kLineTotalMinorMax, "unit_price_minor")) {
    return err;
  }
  if (auto err =
          CheckRange(l.line_total_minor, 0, limits::kLineTotalMinorMax, "line_total_minor")) {
    return err;
  }
  const int64_t full_price = l.quantity * l.unit_price_minor;  // limits.h: cannot overflow
  if (l.unit_price_minor > 0 && l.line_total_minor > full_price) {
    return Fail("line_total_minor",
                Amount(l.line_total_minor, currency) + " is above quantity x unit_price_minor (" +
                    std::to_string(l.quantity) + " x " + Amount(l.unit_price_minor, currency) +
                    " = " + Amount(full_price, currency) + ")");
  }
  return std::nullopt;
}

Error CheckLines(const Event& e, const RuleSet& rules, bool is_return) {
  if (e.lines.empty()) return Fail("lines", "at least one line is required");
  if (e.lines.size() > limits::kLinesPerBasketMax) {
    return Fail("lines", std::to_string(e.lines.size()) + " lines; at most " +
                             std::to_string(limits::kLinesPerBasketMax) + " allowed");
  }
  int64_t total = 0;
  for (std::size_t i = 0; i < e.lines.size(); ++i) {
    if (auto err = CheckLine(e.lines[i], e.currency)) {
      err->field = "lines[" + std::to_string(i) + "]." + err->field;
      return err;
    }
    total += e.lines[i].line_total_minor;
  }
  // A return is bounded by the purchase it names (decide_purchase.cc).
  const int64_t max = rules.program.limits.basket_total_max_minor;
  if (!is_return && total > max) {
    return Fail("lines", "basket total " + Amount(total, e.currency) + " is above the maximum of " +
                             Amount(max, e.currency) + " (program.limits.basket_total_max)");
  }
  return std::nullopt;
}

Error CheckCommon(const Event& e, const RuleSet& rules, TimeMs now_ms) {
  if (auto err = CheckId(e.transaction_id, "transaction_id", true)) return err;
  if (auto err = CheckId(e.store_id, "store_id", true)) return err;
  if (auto err = CheckId(e.register_id, "register_id", false)) return err;
  if (auto err = CheckTime(e, rules, now_ms)) return err;
  return CheckCurrency(e, rules);
}

}  // namespace

std::optional<std::size_t> InvalidUtf8At(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    // Length of the sequence, and the range its second byte must be in
    // (which rules out overlong forms, surrogates and code points > U+10FFFF).
    std::size_t n = 0;
    unsigned char lo = 0x80, hi = 0xbf;
    if (c < 0x80) {
      n = 1;
    } else if (c >= 0xc2 && c <= 0xdf) {
      n = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      n = 3;
      if (c == 0xe0) lo = 0xa0;
      if (c == 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 4;
      if (c == 0xf0) lo = 0x90;
      if (c == 0xf4) hi = 0x8f;
    } else {
      return i;
    }
    if (i + n > text.size()) return i;
    for (std::size_t k = 1; k < n; ++k) {
      const auto b = static_cast<unsigned char>(text[i + k]);
      const unsigned char lo_k = k == 1 ? lo : 0x80, hi_k = k == 1 ? hi : 0xbf;
      if (b < lo_k || b > hi_k) return i;
    }
    i += n;
  }
  return std::nullopt;
}

bool IsValidDate(const Date& d) {
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (d.month < 1 || d.month > 12 || d.day < 1) return false;
  if (d.year != 0 && (d.year < 1900 || d.year > 9999)) return false;
  if (d.day > kDays[d.month - 1]) return false;
  if (d.month == 2 && d.day == 29 && d.year != 0) {
    const bool leap = (d.year % 4 == 0 && d.year % 100 != 0) || d.year % 400 == 0;
    return leap;
  }
  return true;
}

std::optional<FieldError> ValidateEvent(const Event& e, const RuleSet& rules, TimeMs now_ms) {
  // A link names the customer's card link_to_card on the wire (Enroll).
  const bool link = e.kind == EventKind::kLinkCard;
  if (auto err = CheckId(e.card, link ? "link_to_card" : "card", true)) return err;
  switch (e.kind) {
    case EventKind::kLookup: return std::nullopt;
    case EventKind::kEnroll:
      if (auto err = CheckId(e.customer_id, "customer_id", false)) return err;
      if (e.birthday && !IsValidDate(*e.birthday)) {
        return Fail("birthday", "is not a calendar date (YYYY-MM-DD or --MM-DD)");
      }
      return std::nullopt;
    case EventKind::kPurchase:
      if (auto err = CheckCommon(e, rules, now_ms)) return err;
      if (auto err = CheckPoints(e.points, 0, rules, "redeem_points")) return err;
      if (auto err = CheckLines(e, rules, false)) return err;
      return CheckOffers(e, rules, false);
    case EventKind::kReturn:
      if (auto err = CheckCommon(e, rules, now_ms)) return err;
      if (auto err = CheckId(e.original_transaction_id, "original_transaction_id", true)) {
        return err;
      }
      if (e.original_transaction_id == e.transaction_id) {
        return Fail("original_transaction_id", "must differ from the return's own transaction_id");
      }
      if (auto err = CheckLines(e, rules, true)) return err;
      return CheckOffers(e, rules, true);
    case EventKind::kRedeem:
      if (auto err = CheckCommon(e, rules, now_ms)) return err;
      if (auto err = CheckPoints(e.points, 1, rules, "points")) return err;
      if (e.basket_total_minor > rules.program.limits.basket_total_max_minor) {
        return Fail("basket_total_minor",
                    Amount(e.basket_total_minor, e.currency) + " is above the maximum of " +
                        Amount(rules.program.limits.basket_total_max_minor, e.currency) +
                        " (program.limits.basket_total_max)");
      }
      return CheckRange(e.basket_total_minor, 1, limits::kBasketTotalMinorMax,
                        "basket_total_minor");
    case EventKind::kAdjust:
      if (auto err = CheckId(e.transaction_id, "transaction_id", true)) return err;
      if (auto err = CheckTime(e, rules, now_ms)) return err;
      if (auto err = CheckId(e.reason, "reason", true)) return err;
      if (auto err = CheckId(e.operator_id, "operator_id", true)) return err;
      if (auto err = CheckPoints(e.points, -limits::kPointsPerEventMax, rules, "points")) {
        return err;
      }
      if (auto err = CheckId(e.set_tier, "set_tier", false)) return err;
      if (!e.set_tier.empty() && rules.FindTier(e.set_tier) == nullptr) {
        return Fail("set_tier", "'" + e.set_tier + "' is not a tier of rules version " +
                                    std::to_string(rules.version));
      }
      if (e.points == 0 && e.set_tier.empty()) {
        return Fail("points", "an adjustment changes points (non-zero) or sets a tier");
      }
      return std::nullopt;
    case EventKind::kCancelRedeem:
      if (auto err = CheckId(e.transaction_id, "transaction_id", true)) return err;
      if (auto err = CheckId(e.store_id, "store_id", true)) return err;
      if (auto err = CheckTime(e, rules, now_ms)) return err;
      if (auto err = CheckId(e.original_transaction_id, "original_transaction_id", true)) {
        return err;
      }
      if (e.original_transaction_id == e.transaction_id) {
        return Fail("original_transaction_id", "must differ from the cancellation's own id");
      }
      return std::nullopt;
    case EventKind::kFeedback:
      if (auto err = CheckId(e.transaction_id, "transaction_id", true)) return err;
      if (auto err = CheckId(e.store_id, "store_id", true)) return err;
      if (auto err = CheckTime(e, rules, now_ms)) return err;
      if (auto err = CheckRange(e.score, 0, 10, "score")) return err;
      return CheckText(e.comment, "comment", limits::kCommentBytesMax, true);
    case EventKind::kConsent:
      if (auto err = CheckId(e.transaction_id, "transaction_id", true)) return err;
      if (auto err = CheckTime(e, rules, now_ms)) return err;
      if (!e.marketing_consent) {
        return Fail("marketing_consent", "is required: true (yes to marketing) or false (no)");
      }
      if (auto err = CheckId(e.store_id, "store_id", false)) return err;
      if (auto err = CheckId(e.register_id, "register_id", false)) return err;
      return CheckText(e.consent_source, "consent_source", limits::kConsentSourceBytesMax, false);
    case EventKind::kReplaceCard:
      if (auto err = CheckId(e.transaction_id, "transaction_id", true)) return err;
      if (auto err = CheckTime(e, rules, now_ms)) return err;
      if (auto err = CheckId(e.new_card, "new_card", true)) return err;
      if (e.new_card == e.card) return Fail("new_card", "must differ from the card it replaces");
      if (auto err = CheckId(e.reason, "reason", true)) return err;
      return CheckId(e.operator_id, "operator_id", true);
    case EventKind::kLinkCard:
      if (auto err = CheckId(e.new_card, "card", true)) return err;
      if (e.new_card == e.card) return Fail("card", "must differ from link_to_card");
      return std::nullopt;
    case EventKind::kMerge:
      if (auto err = CheckId(e.transaction_id, "transaction_id", true)) return err;
      if (auto err = CheckTime(e, rules, now_ms)) return err;
      if (auto err = CheckId(e.merged_card, "merged_card", true)) return err;
      if (e.merged_card == e.card) return Fail("merged_card", "must differ from the card it joins");
      if (auto err = CheckId(e.reason, "reason", true)) return err;
      return CheckId(e.operator_id, "operator_id", true);
    case EventKind::kErase:
      if (auto err = CheckId(e.transaction_id, "transaction_id", true)) return err;
      if (auto err = CheckTime(e, rules, now_ms)) return err;
      if (auto err = CheckId(e.reason, "reason", true)) return err;
      return CheckId(e.operator_id, "operator_id", true);
  }
  return Fail("kind", "unknown event kind");
}

}  // namespace loyalty
