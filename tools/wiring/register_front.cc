#include "tools/wiring/register_front.h"

#include "proto/wire_codec.h"

namespace loyalty {

std::string WireDecisionCodec::Encode(const Decision& decision) const {
  return wire::EncodeDecision(decision).SerializeAsString();
}

std::string EncodeAnswer(const Answer& a) {
  switch (a.kind) {
    case AnswerKind::kDecided:
      return wire::SerializeDecisionReply(a.request_id, a.decision_bytes,
                                          wire::ReplyOrigin::kDecidedNow);
    case AnswerKind::kReplayed:
      return wire::SerializeDecisionReply(a.request_id, a.decision_bytes,
                                          wire::ReplyOrigin::kStored);
    case AnswerKind::kRefused:
      return wire::ErrorReply(a.request_id, *wire::OutcomeAsError(*a.refusal));
    case AnswerKind::kProfile: {
      v1::Reply reply;
      reply.set_request_id(a.request_id);
      *reply.mutable_profile() = wire::EncodeProfile(*a.profile, a.card);
      return reply.SerializeAsString();
    }
    case AnswerKind::kUnknownCard:
      return wire::ErrorReply(a.request_id, wire::MakeError(v1::UNKNOWN_CARD, a.field, a.message));
    case AnswerKind::kInvalid:
      return wire::ErrorReply(a.request_id, wire::MakeError(v1::INVALID_FIELD, a.field, a.message));
    case AnswerKind::kUnavailable:
      return wire::ErrorReply(a.request_id, wire::MakeError(v1::UNAVAILABLE, a.field, a.message));
    case AnswerKind::kOverloaded:
      return wire::ErrorReply(a.request_id, wire::MakeError(v1::OVERLOADED, a.field, a.message));
  }
  return wire::ErrorReply(a.request_id, wire::MakeError(v1::UNAVAILABLE, "", "no answer"));
}

void RegisterFront::Handle(v1::Request request, ReplyFn reply) {
  Handle(std::move(request), std::move(reply), nullptr);
}

void RegisterFront::Handle(v1::Request request, ReplyFn reply, CommitRecordsFn with_commit) {
  const uint64_t id = request.request_id();
  Event event;
  if (auto error = wire::DecodeRequest(request, &event)) {
    runtime_.NoteRejected(error->code() == v1::UNKNOWN_MESSAGE ? "unknown_message"
                                                               : "invalid_field");
    reply(wire::ErrorReply(id, std::move(*error)));
    return;
  }
  runtime_.Submit(
      id, std::move(event),
      [reply = std::move(reply)](Answer answer) { reply(EncodeAnswer(answer)); },
      std::move(with_commit));
}

}  // namespace loyalty
