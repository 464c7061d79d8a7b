// RulesPublisher: which rule set is in force, and every way to change it
// (DESIGN.md §7, issue 3 "Versions, publishing"). The versions live in the
// store (adapters/rocksdb/rule_versions.h) as YAML text; the rules adapter
// parses them (rules_file::Parse), so the RuleSet stays opaque here. The
// version a decision records (RuleSet::version) is the stored version
// number, whatever `version:` the file says.
//
//   Load        at startup: the active stored version; else the --rules file
//               (or the built-in defaults) stored and activated as the next
//               version.
//   Upload      a new DRAFT, only when it validates.
//   Activate    now (the runtime's pointer is swapped: no pause, no dropped
//               connection) or at a time (a timer on the io thread swaps it).
//   Rollback    re-activates the version that was in force before this one
//               (along replaced_version: a second rollback goes further
//               back, never to the version just rolled back), or a named
//               version that was in force once.
//   Submit      the author asks for approval (four eyes: admin_api.cc).
//   Reload      SIGHUP: the --rules file, when valid and changed, is stored
//               and activated as a new version.
// Every change is in the audit log with who, before and after.
//
// Thread safety: everything on the io thread (Load before it runs).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/system_timer.hpp>
#include <functional>
#include <memory>
#include <string>
#include <utility>  // before Asio (Boost 1.74)
#include <vector>

#include "adapters/rocksdb/rule_versions.h"
#include "adapters/yaml/rules_file.h"
#include "engine/runtime/runtime.h"

namespace loyalty {

struct Actor {
  std::string name;  // token name, "sighup", "startup", "schedule"
  std::string role;
};

// The rules a stored version holds (the built-in defaults for built_in),
// with the stored version number.
Result<std::shared_ptr<const RuleSet>> ParseStoredRules(const StoredRuleSet& stored);

class RulesPublisher {
 public:
  using ClockFn = std::function<TimeMs()>;
  // Told after each change of the rule set in force (logs, metrics).
  using ChangedFn = std::function<void(const StoredRuleSet& active, const std::string& action)>;
  static constexpr std::size_t kDraftsDefaultMax = 100;
  RulesPublisher(boost::asio::io_context& io, RuleVersions& versions, ClockFn clock,
                 ChangedFn on_change, std::size_t drafts_max = kDraftsDefaultMax);

  Result<std::shared_ptr<const RuleSet>> Load(const std::string& rules_path);
  // Once the runtime runs: later changes reach it; arms the schedule.
  void Attach(Runtime* runtime);

  // The problems of `yaml` (empty: valid).
  std::vector<rules_file::Problem> Validate(const std::string& yaml) const;
  // The rules a stored version holds (the built-in defaults for built_in).
  Result<std::shared_ptr<const RuleSet>> Parsed(const StoredRuleSet& stored) const;
  // Precondition: Validate(yaml) is empty. Refused (kResourceExhausted)
  // when drafts_max drafts wait already.
  Result<StoredRuleSet> Upload(const std::string& yaml, const Actor& by, bool built_in = false);
  // `detail` goes into the audit entry (an approval of one's own draft, a
  // confirmed migration).
  Result<StoredRuleSet> Activate(uint32_t version, const Actor& by, const std::string& action,
                                 Activation how = Activation::kForward,
                                 const std::string& detail = "");
  // Refused (kInvalidArgument) when at_ms is not in the future.
  Result<StoredRuleSet> Schedule(uint32_t version, TimeMs at_ms, const Actor& by,
                                 const std::string& detail = "");
  // Back to `to` (0: the version the one in force replaced).
  Result<StoredRuleSet> Rollback(const Actor& by, uint32_t to = 0);
  Result<StoredRuleSet> Submit(uint32_t version, const Actor& by, const std::string& note);
  // Runs `fn` on the io thread, where every change is made.
  void Post(std::function<void()> fn);
  TimeMs now() const { return clock_(); }
  // SIGHUP. A line for the log either way.
  std::string Reload(const std::string& rules_path);

  RuleVersions& versions() { return versions_; }
  // After Load: a line for the log when the --rules file is not what runs.
  const std::string& load_note() const { return load_note_; }

 private:
  Result<std::shared_ptr<const RuleSet>> Install(const StoredRuleSet& active,
                                                 const std::string& action);
  void ArmSchedule();
  void RunDue();

  boost::asio::io_context& io_;
  RuleVersions& versions_;
  ClockFn clock_;
  ChangedFn on_change_;
  Runtime* runtime_ = nullptr;
  boost::asio::system_timer timer_;
  std::string load_note_;
  std::size_t drafts_max_;
};

// The rules file's text, or a Status "PATH: cannot be read".
Result<std::string> ReadRulesFile(const std::string& path);

}  // namespace loyalty
