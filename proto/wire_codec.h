// Translation between the wire contract (loyalty.v1) and the core's types.
// Decoding does the wire-level checks (body present, total matches lines,
// birthday format); ValidateEvent (engine) does the rest.
//
// Thread safety: free functions on values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/decide.h"
#include "engine/validate.h"
#include "loyalty/v1/wire.pb.h"

namespace loyalty::wire {

// Builds the core event for a request. On failure returns the Error to send
// (UNKNOWN_MESSAGE when no body is set, INVALID_FIELD otherwise).
std::optional<v1::Error> DecodeRequest(const v1::Request& request, Event* event);

v1::Decision EncodeDecision(const Decision& decision);
// A lookup's answer for `card`, the card the lookup named. The customer's
// other cards are masked (MaskCard, "************1234"), and so is the
// customer id when it is one of them: whoever holds one card learns the
// balance, not the numbers of the household's other cards.
v1::Profile EncodeProfile(const Profile& profile, std::string_view card);

// Parts of both (wire_profile.cc). `state` is the customer `signals` are of.
void EncodeOffer(const OfferShown& offer, v1::Offer* out);
v1::Signals EncodeSignals(const Signals& signals, const CustomerState& state);

// The error for an outcome that travels as one (TravelsAsError, decision.h:
// unknown card, duplicate with a different payload, points per event over
// the maximum); nullopt for the others.
std::optional<v1::Error> OutcomeAsError(const Decision& decision);

v1::Error MakeError(v1::ErrorCode code, std::string field, std::string message);
// The one way an error reply is built: a Reply with `request_id` and `error`.
std::string ErrorReply(uint64_t request_id, v1::Error error);

// Whether a decision reply is answered now or is the stored one of a retry.
enum class ReplyOrigin { kDecidedNow, kStored };

// A Reply whose decision is `decision_bytes` exactly as stored, so a retry
// gets the first answer byte for byte with its own request id; kStored also
// sets Reply.replayed.
std::string SerializeDecisionReply(uint64_t request_id, std::string_view decision_bytes,
                                   ReplyOrigin origin);

// "YYYY-MM-DD" or "--MM-DD" (no year) to a Date; nullopt when malformed.
std::optional<Date> ParseBirthday(std::string_view text);
std::string FormatBirthday(const Date& date);

}  // namespace loyalty::wire
