// What a credential may do on the register channel (docs/SECURITY.md), as a
// pure function of the credential and the request, so it can be tested and
// fuzzed without a socket.
//
// A register credential may enrol, sell, return, redeem, cancel its
// redemptions, give feedback and look up, for its own store and register:
// an event's empty store_id / register_id is filled from the credential, and
// one naming another store or register is refused PERMISSION_DENIED with the
// field named. Adjust (manual credits, tier changes) is an operator's only.
// An operator credential may send anything, for any store.
#pragma once

#include <optional>

#include "adapters/net/credentials.h"
#include "loyalty/v1/wire.pb.h"

namespace loyalty::net {

// nullopt when `credential` may send `request` (which may have been
// completed with the credential's store and register); else the error reply.
std::optional<v1::Error> Authorize(const Credential& credential, v1::Request& request);

}  // namespace loyalty::net
