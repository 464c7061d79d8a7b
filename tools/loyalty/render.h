// How the CLI shows a reply: one JSON object per reply with --json (stable
// keys, for scripts), or a short human line otherwise.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "loyalty/v1/wire.pb.h"

namespace loyalty::cli {

nlohmann::json ReplyToJson(const v1::Reply& reply);
std::string ReplyToText(const v1::Reply& reply);

// Exit code for a reply: 0 applied or a profile, 1 a refusal or an error.
int ExitCodeFor(const v1::Reply& reply);

}  // namespace loyalty::cli
