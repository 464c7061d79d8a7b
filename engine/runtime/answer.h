// Answer: what the runtime says to one request, typed. The register channel
// turns it into wire bytes (tools/wiring/register_front.cc, through proto/);
// the runtime never builds a reply itself.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/customer_state.h"
#include "engine/decide.h"
#include "engine/decision.h"
#include "engine/event.h"

namespace loyalty {

enum class AnswerKind : uint8_t {
  kDecided,      // applied (or a stored refusal) now: `decision_bytes`
  kReplayed,     // a retry of a stored decision: its `decision_bytes`, byte for byte
  kRefused,      // refused with nothing written (TravelsAsError): `refusal`
  kProfile,      // a lookup: `profile` of `state`, for `card`
  kUnknownCard,  // a lookup of a card nobody holds: `message`
  kInvalid,      // a field is wrong: `field`, `message`
  kUnavailable,  // the store failed; the outcome is unknown: `message`
  kOverloaded,   // at capacity: `message`
};

struct Answer {
  uint64_t request_id = 0;
  AnswerKind kind = AnswerKind::kUnavailable;
  Outcome outcome = Outcome::kApplied;  // kDecided, kReplayed (as stored), kRefused
  std::string decision_bytes;           // DecisionCodec's encoding
  std::optional<Decision> refusal;
  std::shared_ptr<const CustomerState> state;  // kProfile: kept alive for `profile`
  std::shared_ptr<const Profile> profile;      // kProfile: refers to *state
  std::string card;
  std::string field;
  std::string message;

  static Answer Error(uint64_t request_id, AnswerKind kind, std::string field,
                      std::string message) {
    Answer a;
    a.request_id = request_id;
    a.kind = kind;
    a.field = std::move(field);
    a.message = std::move(message);
    return a;
  }
};

// The observer's label for an answer (ports.h RuntimeObserver).
std::string_view AnswerLabel(const Answer& answer);

// Called once per request, on the thread that answers it.
using AnswerFn = std::function<void(Answer)>;

// Records (key, value) a channel wants written in the same batch as its
// event's decision, so that neither exists without the other: an admin
// adjustment's audit entry. Called on the shard's thread only when the event
// is decided afresh and its writes are staged (an applied change, or a
// refusal that is stored); never for a retry answered from the stored
// decision, nor for a refusal that writes nothing. So a retried request gets
// its records written once.
using CommitRecords = std::vector<std::pair<std::string, std::string>>;
using CommitRecordsFn = std::function<CommitRecords(const Decision& decision)>;

}  // namespace loyalty
