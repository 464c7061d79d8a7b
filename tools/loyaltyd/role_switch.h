// RoleSwitch: the register listener's handler in a replicated group. While
// this node is not primary, every request is answered NOT_PRIMARY naming the
// primary's register address (empty while an election runs, with a retry
// after); once it serves, requests go to the runtime's front. A standby with
// standby_lookups: on answers lookups from its copy (standby_lookups.h).
// Thread safety: Serve from any thread, Handle on the listener's.
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include "adapters/net/server.h"
#include "proto/wire_codec.h"
#include "tools/loyaltyd/standby_lookups.h"

namespace loyalty {

class RoleSwitch final : public net::RequestHandler {
 public:
  static constexpr int64_t kElectionRetryMs = 500;

  explicit RoleSwitch(std::function<std::string()> primary_address)
      : primary_address_(std::move(primary_address)) {}
  // Null: a standby again.
  void Serve(net::RequestHandler* handler) { active_.store(handler); }
  // Lookups while not serving go to `lookups` when it has a copy open.
  // Set once, before the listener starts; outlives this switch.
  void AnswerLookupsWith(StandbyLookups* lookups) { lookups_ = lookups; }

  void Handle(v1::Request request, ReplyFn reply) override {
    if (net::RequestHandler* h = active_.load()) return h->Handle(std::move(request), reply);
    if (lookups_ != nullptr && request.body_case() == v1::Request::kLookup && lookups_->ready()) {
      return lookups_->Handle(std::move(request), reply);
    }
    const std::string primary = primary_address_ ? primary_address_() : "";
    v1::Error e = wire::MakeError(
        v1::NOT_PRIMARY, "",
        primary.empty() ? "this node is a standby and the group is electing a primary: retry"
                        : "this node is a standby: send the request to the primary at " + primary);
    e.set_primary(primary);
    if (primary.empty()) e.set_retry_after_ms(kElectionRetryMs);
    reply(wire::ErrorReply(request.request_id(), std::move(e)));
  }

 private:
  const std::function<std::string()> primary_address_;
  std::atomic<net::RequestHandler*> active_{nullptr};
  StandbyLookups* lookups_ = nullptr;
};

}  // namespace loyalty
