// How the CLI shows a reply: one JSON object per reply with --json (stable
// keys, for scripts), or a short human line otherwise.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "loyalty/v1/wire.pb.h"

namespace loyalty::cli {

// How a person reads amounts and times: the program's currency and clock
// (the Welcome tells them). The text shows money as "952.60 GBP" and dates
// in the program's time zone; the JSON keeps minor units and milliseconds and
// adds ISO 8601 strings beside them (`..._date`, `..._at`).
struct Display {
  std::string currency;            // ISO 4217; "": two decimals and no code
  int32_t utc_offset_minutes = 0;  // east of UTC (rules program.utc_offset)
};

nlohmann::json ReplyToJson(const v1::Reply& reply, const Display& display = {});
std::string ReplyToText(const v1::Reply& reply, const Display& display = {});

// Exit code for a reply: 0 applied or a profile, 1 a refusal or an error.
int ExitCodeFor(const v1::Reply& reply);

}  // namespace loyalty::cli
