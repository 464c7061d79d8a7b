// The admin API's JSON request bodies, read into what the handlers need.
// Each reader returns the reason a body is refused (the handler answers 400
// BAD_BODY with it), or nullopt when it was read. Pure functions: no daemon
// needed, so tests/fuzz reads them too.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "engine/event.h"
#include "loyalty/v1/wire.pb.h"

namespace loyalty::admin {

// POST /v1/customers/{card}/adjust: {"transaction_id", "reason", "points",
// "set_tier"}; the first two required.
std::optional<std::string> ReadAdjust(const std::string& body, v1::Adjust* a);

// POST /v1/rulesets/{version}/activate: {"at_ms": T, "tier_migration":
// "requalify"}, both optional, or an empty body.
struct ActivateBody {
  TimeMs at_ms = 0;
  bool requalify = false;
};
std::optional<std::string> ReadActivate(const std::string& body, ActivateBody* out);

// POST /v1/rulesets/{version}/submit: empty or {"note": TEXT}.
std::optional<std::string> ReadSubmit(const std::string& body, std::string* note);

// POST /v1/rulesets/rollback: empty (0: the version the one in force
// replaced) or {"to": VERSION}.
std::optional<std::string> ReadRollback(const std::string& body, uint32_t* to);

// POST /v1/session: {"token": T}.
std::optional<std::string> ReadSignIn(const std::string& body, std::string* token);

}  // namespace loyalty::admin
