// `loyalty rules list|show|upload|submit|activate|rollback`: publishing rule
// sets through a running loyaltyd's admin API (README "Publishing rules").
//   loyalty rules upload new.yaml --admin 127.0.0.1:7071 --token $T
//   loyalty rules submit 4 --note "spring double points"
//   loyalty rules activate 4 [--at 2026-12-01T06:00:00Z] [--requalify-tiers]
//   loyalty rules rollback [--to 2]
// The token comes from --token or LOYALTY_ADMIN_TOKEN (kept out of `ps`).
// Exit codes: 0 done, 1 refused (the reason is printed), 2 bad usage,
// 3 the admin API could not be reached.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

namespace loyalty::cli {

struct PublishOptions {
  std::string admin = "127.0.0.1:7071";
  std::string token;
  std::string file;        // upload
  uint32_t version = 0;    // show, activate
  std::string at;          // activate: UTC time, YYYY-MM-DDTHH:MM:SSZ
  bool requalify = false;  // activate: confirm the tier migration
  uint32_t to = 0;         // rollback: to this version (0: the one replaced)
  std::string note;        // submit
  bool json = false;
  int64_t timeout_ms = 5000;
  CLI::App* list = nullptr;
  CLI::App* show = nullptr;
  CLI::App* upload = nullptr;
  CLI::App* activate = nullptr;
  CLI::App* rollback = nullptr;
  CLI::App* submit = nullptr;
};

// Adds the commands under `rules`.
void AddPublishCommands(CLI::App* rules, PublishOptions& o);
// -1 when none of them was given.
int RunPublish(PublishOptions& o);

}  // namespace loyalty::cli
