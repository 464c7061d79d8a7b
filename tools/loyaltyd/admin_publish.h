// AdminPublish: the rule sets' endpoints, as rows of the router's table
// (README.md "Publishing rules"):
//   GET  /v1/rulesets                       every version, its state and who did what
//   GET  /v1/rulesets/{version}             one version with its YAML text
//   POST /v1/rulesets/validate              a rules file's mistakes (line, column, how
//                                           to fix), nothing stored: the editor's
//                                           as-you-type check
//   POST /v1/rulesets                       a new draft (editor)
//   POST /v1/rulesets/{version}/submit      the author asks for approval (editor)
//   POST /v1/rulesets/{version}/simulate    the version against the rules in force on
//                                           past events (?source=data: simulate_data;
//                                           upload: the body, ?format=jsonl|csv)
//   POST /v1/rulesets/{version}/activate    approve: now, or {"at_ms": T} in the future
//                                           (publisher; never one's own draft, admins
//                                           included unless admin_self_approval: on)
//   POST /v1/rulesets/rollback              {"to": N} or the version the one in force
//                                           replaced (publisher)
// Before an activation or a schedule, the store's customers are checked
// (activation_check.h): another currency is refused (409 CURRENCY_MISMATCH),
// a dropped tier that customers hold too (409 TIERS_DROPPED) unless the body
// confirms {"tier_migration": "requalify"}. Checks and simulations run on
// the worker thread; changes are made on the io thread.
//
// Thread safety: routes on the io thread; jobs on the worker.
#pragma once

#include <functional>
#include <string>

#include "adapters/http/router.h"
#include "adapters/rocksdb/store.h"
#include "engine/runtime/runtime.h"
#include "tools/loyaltyd/rules_publisher.h"
#include "tools/loyaltyd/worker.h"

namespace loyalty {

struct PublishOptions {
  bool admin_self_approval = false;
  std::string simulate_data;  // path; empty: none
  std::string temp_dir;       // where an uploaded events file waits while simulated
};

class AdminPublish {
 public:
  // A rule set's YAML, uploaded or validated: far above any real program
  // (the rules' own counts are bounded too: engine/limits.h), and with
  // rules_drafts_max it bounds what drafts may take in the store.
  static constexpr std::size_t kRulesBytesMax = 256 << 10;
  AdminPublish(std::function<std::string()> why_not_ready, PublishOptions options)
      : why_not_ready_(std::move(why_not_ready)), options_(std::move(options)) {}
  void AddRoutes(http::Router& router);
  void Attach(Runtime* runtime, RulesPublisher* publisher, Store* store, Worker* worker);

 private:
  void Rulesets(const http::Request& r, http::Respond respond);
  void Ruleset(const http::Request& r, http::Respond respond);
  void Validate(const http::Request& r, http::Respond respond);
  void Upload(const http::Request& r, http::Respond respond);
  void Submit(const http::Request& r, http::Respond respond);
  void Simulate(const http::Request& r, http::Respond respond);
  void Activate(const http::Request& r, http::Respond respond);
  void Rollback(const http::Request& r, http::Respond respond);
  // The version the path names; else responds (400, 404) and returns none.
  std::optional<StoredRuleSet> Find(const http::Request& r, const http::Respond& respond) const;

  std::function<std::string()> why_not_ready_;
  PublishOptions options_;
  Runtime* runtime_ = nullptr;
  RulesPublisher* publisher_ = nullptr;
  Store* store_ = nullptr;
  Worker* worker_ = nullptr;
};

}  // namespace loyalty
