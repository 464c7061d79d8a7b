// Event validation: every field the core relies on is checked here, before
// Decide, so Decide may assume a well-formed event (and CHECKs that it does).
// A failure names the field as it is called on the wire and says why.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "engine/event.h"
#include "engine/rules.h"

namespace loyalty {

struct FieldError {
  std::string field;   // wire name, e.g. "lines[2].quantity"
  std::string reason;  // e.g. "must be between 1 and 100000, got -3"
  friend bool operator==(const FieldError&, const FieldError&) = default;
};

// nullopt when `event` is valid under `rules` at server time `now_ms`.
std::optional<FieldError> ValidateEvent(const Event& event, const RuleSet& rules, TimeMs now_ms);

// The byte offset of the first sequence in `text` that is not UTF-8 (RFC
// 3629: no overlong forms, no surrogates, nothing above U+10FFFF), or
// nullopt when all of it is. Text fields are UTF-8 (engine/README.md).
std::optional<std::size_t> InvalidUtf8At(std::string_view text);

// A date that exists on the calendar (year 0 = unknown year, allows Feb 29).
bool IsValidDate(const Date& date);

}  // namespace loyalty
