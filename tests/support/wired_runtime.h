// The runtime as loyaltyd wires it, for tests that speak the wire: a store
// (RocksDB or MemoryStore), the wire DecisionCodec, the Runtime, and the
// RegisterFront that decodes requests and encodes answers (Handle).
#pragma once

#include <memory>
#include <utility>

#include "engine/runtime/runtime.h"
#include "tools/wiring/register_front.h"

namespace loyalty::testing {

// Built before the Runtime base, which keeps a reference to it.
struct WireCodecHolder {
  WireDecisionCodec codec;
};

class WiredRuntime : private WireCodecHolder, public Runtime {
 public:
  WiredRuntime(DurableStore& store, std::shared_ptr<const RuleSet> rules, RuntimeOptions options,
               Runtime::ClockFn clock)
      : Runtime(store, codec, std::move(rules), std::move(options), std::move(clock)),
        front_(*this) {}

  void Handle(v1::Request request, net::RequestHandler::ReplyFn reply) {
    front_.Handle(std::move(request), std::move(reply));
  }
  RegisterFront& front() { return front_; }

 private:
  RegisterFront front_;
};

}  // namespace loyalty::testing
