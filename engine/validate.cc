#include "engine/validate.h"

#include "engine/limits.h"
#include "engine/money.h"

namespace loyalty {
namespace {

using Error = std::optional<FieldError>;

Error Fail(std::string field, std::string reason) {
  return FieldError{std::move(field), std::move(reason)};
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

Error CheckRange(int64_t value, int64_t lo, int64_t hi, const std::string& field) {
  if (value >= lo && value <= hi) return std::nullopt;
  return Fail(field, "must be between " + std::to_string(lo) + " and " + std::to_string(hi) +
                         ", got " + std::to_string(value));
}

Error CheckCurrency(const Event& e, const RuleSet& rules) {
  if (e.currency.empty()) return Fail("currency", "is required (ISO 4217, e.g. EUR)");
  if (!CurrencyExponent(e.currency)) {
    return Fail("currency", "'" + e.currency + "' is not an ISO 4217 currency code");
  }
  if (e.currency != rules.program.currency) {
    return Fail("currency",
                "the program runs in " + rules.program.currency + ", not " + e.currency);
  }
  return std::nullopt;
}

Error CheckTime(const Event& e, TimeMs now_ms) {
  if (e.event_time_ms <= 0) return Fail("event_time_ms", "is required (ms since the epoch)");
  if (e.event_time_ms > now_ms + limits::kEventTimeAheadMsMax) {
    return Fail("event_time_ms", "is more than 5 minutes ahead of the server clock");
  }
  return std::nullopt;
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

// Free text: at most kCommentBytesMax bytes of UTF-8 without control characters.
Error CheckText(const std::string& text, const char* field) {
  if (text.size() > limits::kCommentBytesMax) {
    return Fail(field, "is " + std::to_string(text.size()) + " bytes; at most " +
                           std::to_string(limits::kCommentBytesMax) + " allowed");
  }
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    const int n = c < 0x80           ? 1
                  : (c >> 5) == 0x6  ? 2
                  : (c >> 4) == 0xe  ? 3
                  : (c >> 3) == 0x1e ? 4
                                     : 0;
    if (n == 0 || i + n > text.size()) return Fail(field, "is not valid UTF-8");
    for (int k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) >> 6) != 0x2) {
        return Fail(field, "is not valid UTF-8");
      }
    }
    if (n == 1 && (c < 0x20 || c == 0x7f) && c != '\n') {
      return Fail(field, "has a control character at byte " + std::to_string(i));
    }
    i += n;
  }
  return std::nullopt;
}

Error CheckLines(const Event& e, bool is_return) {
  if (e.lines.empty()) return Fail("lines", "at least one line is required");
  if (e.lines.size() > limits::kLinesPerBasketMax) {
    return Fail("lines", std::to_string(e.lines.size()) + " lines; at most " +
                             std::to_string(limits::kLinesPerBasketMax) + " allowed");
  }
  int64_t total = 0;
  for (std::size_t i = 0; i < e.lines.size(); ++i) {
    const Line& l = e.lines[i];
    const std::string at = "lines[" + std::to_string(i) + "].";
    if (auto err = CheckId(l.sku, (at + "sku").c_str(), true)) return err;
    if (l.category.size() > limits::kCategoryBytesMax) return Fail(at + "category", "too long");
    if (l.brand.size() > limits::kCategoryBytesMax) return Fail(at + "brand", "too long");
    if (auto err = CheckRange(l.quantity, 1, limits::kQuantityMax, at + "quantity")) return err;
    if (auto err = CheckRange(l.unit_price_minor, 0, limits::kLineTotalMinorMax,
                              at + "unit_price_minor")) {
      return err;
    }
    if (auto err = CheckRange(l.line_total_minor, 0, limits::kLineTotalMinorMax,
                              at + "line_total_minor")) {
      return err;
    }
    total += l.line_total_minor;
  }
  if (!is_return && total > limits::kBasketTotalMinorMax) {
    return Fail("lines", "basket total " + std::to_string(total) + " is beyond the maximum " +
                             std::to_string(limits::kBasketTotalMinorMax));
  }
  return std::nullopt;
}

Error CheckCommon(const Event& e, const RuleSet& rules, TimeMs now_ms) {
  if (auto err = CheckId(e.transaction_id, "transaction_id", true)) return err;
  if (auto err = CheckId(e.store_id, "store_id", true)) return err;
  if (auto err = CheckId(e.register_id, "register_id", false)) return err;
  if (auto err = CheckTime(e, now_ms)) return err;
  return CheckCurrency(e, rules);
}

}  // namespace

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
  if (auto err = CheckId(e.card, "card", true)) return err;
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
      if (auto err = CheckRange(e.points, 0, limits::kPointsPerEventMax, "redeem_points")) {
        return err;
      }
      if (auto err = CheckLines(e, false)) return err;
      return CheckOffers(e, rules, false);
    case EventKind::kReturn:
      if (auto err = CheckCommon(e, rules, now_ms)) return err;
      if (auto err = CheckId(e.original_transaction_id, "original_transaction_id", true)) {
        return err;
      }
      if (e.original_transaction_id == e.transaction_id) {
        return Fail("original_transaction_id", "must differ from the return's own transaction_id");
      }
      if (auto err = CheckLines(e, true)) return err;
      return CheckOffers(e, rules, true);
    case EventKind::kRedeem:
      if (auto err = CheckCommon(e, rules, now_ms)) return err;
      if (auto err = CheckRange(e.points, 1, limits::kPointsPerEventMax, "points")) return err;
      return CheckRange(e.basket_total_minor, 1, limits::kBasketTotalMinorMax,
                        "basket_total_minor");
    case EventKind::kAdjust:
      if (auto err = CheckId(e.transaction_id, "transaction_id", true)) return err;
      if (auto err = CheckTime(e, now_ms)) return err;
      if (auto err = CheckId(e.reason, "reason", true)) return err;
      if (auto err = CheckId(e.operator_id, "operator_id", true)) return err;
      if (auto err = CheckRange(e.points, -limits::kPointsPerEventMax, limits::kPointsPerEventMax,
                                "points")) {
        return err;
      }
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
      if (auto err = CheckTime(e, now_ms)) return err;
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
      if (auto err = CheckTime(e, now_ms)) return err;
      if (auto err = CheckRange(e.score, 0, 10, "score")) return err;
      return CheckText(e.comment, "comment");
  }
  return Fail("kind", "unknown event kind");
}

}  // namespace loyalty
