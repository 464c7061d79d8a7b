// RegisterFront: the register channel's requests into the runtime, and the
// runtime's answers back as wire replies. It decodes a v1::Request into the
// core's Event (proto/), submits it, and encodes the typed Answer with the
// one set of reply builders in proto/wire_codec.h. Wiring only: no decision,
// no state.
//
// WireDecisionCodec is the runtime's DecisionCodec port: the stored decision
// is the wire Decision, so a retry gets it byte for byte.
#pragma once

#include <string>

#include "adapters/net/server.h"
#include "engine/runtime/answer.h"
#include "engine/runtime/ports.h"
#include "engine/runtime/runtime.h"

namespace loyalty {

class WireDecisionCodec final : public DecisionCodec {
 public:
  std::string Encode(const Decision& decision) const override;
};

// The wire reply for `answer`.
std::string EncodeAnswer(const Answer& answer);

class RegisterFront final : public net::RequestHandler {
 public:
  explicit RegisterFront(Runtime& runtime) : runtime_(runtime) {}
  void Handle(v1::Request request, ReplyFn reply) override;
  // As Handle, with records written in the decision's batch (answer.h
  // CommitRecordsFn): the admin adjustment and its audit entry.
  void Handle(v1::Request request, ReplyFn reply, CommitRecordsFn with_commit);

 private:
  Runtime& runtime_;
};

}  // namespace loyalty
