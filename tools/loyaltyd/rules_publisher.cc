#include "tools/loyaltyd/rules_publisher.h"

#include <boost/asio/post.hpp>
#include <chrono>
#include <fstream>
#include <sstream>

namespace loyalty {
namespace {

store::v1::AuditEntry Entry(const Actor& by, const std::string& action, TimeMs now) {
  store::v1::AuditEntry e;
  e.set_who(by.name);
  e.set_role(by.role);
  e.set_action(action);
  e.set_at_ms(now);
  return e;
}

std::string Joined(const std::vector<rules_file::Problem>& problems) {
  std::string out;
  for (const auto& p : problems) out += (out.empty() ? "" : "; ") + p.ToString();
  return out;
}

}  // namespace

Result<std::string> ReadRulesFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::Invalid(path + ": cannot be read (does it exist?)");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

RulesPublisher::RulesPublisher(boost::asio::io_context& io, RuleVersions& versions, ClockFn clock,
                               ChangedFn on_change, std::size_t drafts_max)
    : io_(io),
      versions_(versions),
      clock_(std::move(clock)),
      on_change_(std::move(on_change)),
      timer_(io),
      drafts_max_(drafts_max) {}

void RulesPublisher::Post(std::function<void()> fn) { boost::asio::post(io_, std::move(fn)); }

std::vector<rules_file::Problem> RulesPublisher::Validate(const std::string& yaml) const {
  return rules_file::Parse(yaml, "rules").problems;
}

Result<std::shared_ptr<const RuleSet>> RulesPublisher::Parsed(const StoredRuleSet& stored) const {
  return ParseStoredRules(stored);
}

Result<std::shared_ptr<const RuleSet>> ParseStoredRules(const StoredRuleSet& stored) {
  if (stored.built_in()) {
    RuleSet defaults;
    defaults.version = stored.version();
    return std::make_shared<const RuleSet>(std::move(defaults));
  }
  auto loaded =
      rules_file::Parse(stored.yaml(), "rule set version " + std::to_string(stored.version()));
  if (!loaded.rules) return Status::Invalid(Joined(loaded.problems));
  loaded.rules->version = stored.version();
  return std::make_shared<const RuleSet>(std::move(*loaded.rules));
}

Result<std::shared_ptr<const RuleSet>> RulesPublisher::Load(const std::string& rules_path) {
  auto active = versions_.Active();
  if (!active.ok()) return active.status();
  if (active->has_value()) {
    if (!rules_path.empty()) {
      auto file = ReadRulesFile(rules_path);
      if (!file.ok() || *file != (*active)->yaml()) {
        load_note_ = "running stored rule set version " + std::to_string((*active)->version()) +
                     "; " + rules_path +
                     " differs from it and is not in force (send SIGHUP to publish it)";
      }
    }
    return Parsed(**active);
  }
  // Nothing stored yet: the file (or the built-in defaults) becomes the
  // first version, so that every decision's version names a stored text.
  std::string text;
  if (!rules_path.empty()) {
    auto file = ReadRulesFile(rules_path);
    if (!file.ok()) return file.status();
    text = std::move(*file);
    auto loaded = rules_file::Parse(text, rules_path);
    if (!loaded.rules) return Status::Invalid(Joined(loaded.problems));
  }
  const Actor startup{"startup", "system"};
  auto draft = Upload(text, startup, rules_path.empty());
  if (!draft.ok()) return draft.status();
  auto made = versions_.Activate(draft->version(), startup.name, clock_(),
                                 Entry(startup, "rules.activate", clock_()));
  if (!made.ok()) return made.status();
  return Parsed(*made);
}

void RulesPublisher::Attach(Runtime* runtime) {
  runtime_ = runtime;
  ArmSchedule();
}

Result<StoredRuleSet> RulesPublisher::Upload(const std::string& yaml, const Actor& by,
                                             bool built_in) {
  auto all = versions_.List();
  if (!all.ok()) return all.status();
  std::size_t drafts = 0;
  for (const auto& v : *all) drafts += v.state() == store::v1::DRAFT ? 1 : 0;
  if (drafts >= drafts_max_) {
    return Status(StatusCode::kResourceExhausted,
                  std::to_string(drafts) + " drafts are waiting already (rules_drafts_max " +
                      std::to_string(drafts_max_) +
                      "): activate or let go of some before uploading more");
  }
  StoredRuleSet draft;
  draft.set_built_in(built_in);
  draft.set_yaml(yaml);
  draft.set_author(by.name);
  draft.set_created_ms(clock_());
  if (built_in) {
    draft.set_name(RuleSet().name);
  } else if (auto loaded = rules_file::Parse(yaml, "rules"); loaded.rules) {
    draft.set_name(loaded.rules->name);
  }
  store::v1::AuditEntry audit = Entry(by, "rules.upload", clock_());
  auto active = versions_.Active();
  if (active.ok() && active->has_value()) audit.set_before_version((*active)->version());
  return versions_.AddDraft(std::move(draft), std::move(audit));
}

Result<std::shared_ptr<const RuleSet>> RulesPublisher::Install(const StoredRuleSet& active,
                                                               const std::string& action) {
  auto rules = Parsed(active);
  if (!rules.ok()) return rules.status();
  if (runtime_) runtime_->SetRules(*rules);
  if (on_change_) on_change_(active, action);
  return rules;
}

Result<StoredRuleSet> RulesPublisher::Activate(uint32_t version, const Actor& by,
                                               const std::string& action, Activation how,
                                               const std::string& detail) {
  auto stored = versions_.Get(version);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) {
    return Status::NotFound("rule set version " + std::to_string(version) + " does not exist");
  }
  // Rules stored by an older build may not validate under this one: refuse
  // before anything is written.
  if (auto rules = Parsed(**stored); !rules.ok()) return rules.status();
  store::v1::AuditEntry audit = Entry(by, action, clock_());
  audit.set_detail(detail);
  auto made = versions_.Activate(version, by.name, clock_(), std::move(audit), how);
  if (!made.ok()) return made.status();
  if (auto installed = Install(*made, action); !installed.ok()) return installed.status();
  ArmSchedule();
  return made;
}

Result<StoredRuleSet> RulesPublisher::Schedule(uint32_t version, TimeMs at_ms, const Actor& by,
                                               const std::string& detail) {
  if (at_ms <= clock_()) {
    return Status::Invalid("at_ms " + std::to_string(at_ms) + " is not in the future (now is " +
                           std::to_string(clock_()) +
                           "): give a later time, or none to activate now");
  }
  auto stored = versions_.Get(version);
  if (!stored.ok()) return stored.status();
  if (stored->has_value()) {
    if (auto rules = Parsed(**stored); !rules.ok()) return rules.status();
  }
  store::v1::AuditEntry audit = Entry(by, "rules.schedule", clock_());
  audit.set_detail("at_ms=" + std::to_string(at_ms) + (detail.empty() ? "" : "; " + detail));
  auto made = versions_.Schedule(version, at_ms, by.name, std::move(audit));
  if (made.ok()) ArmSchedule();
  return made;
}

Result<StoredRuleSet> RulesPublisher::Rollback(const Actor& by, uint32_t to) {
  auto active = versions_.Active();
  if (!active.ok()) return active.status();
  if (!active->has_value()) return Status::NotFound("no version is in force");
  const StoredRuleSet& now = **active;
  if (to == 0) {
    to = now.replaced_version();
    if (to == 0) {
      return Status::NotFound("version " + std::to_string(now.version()) +
                              " replaced no version: there is nothing to roll back to (name one "
                              "that was in force once)");
    }
  }
  auto target = versions_.Get(to);
  if (!target.ok()) return target.status();
  if (!target->has_value()) {
    return Status::NotFound("rule set version " + std::to_string(to) + " does not exist");
  }
  if (to == now.version()) {
    return Status::Invalid("version " + std::to_string(to) + " is the one in force already");
  }
  if (!(*target)->was_active()) {
    return Status::Invalid("version " + std::to_string(to) +
                           " was never in force: a rollback goes back to a version that was; "
                           "activate a draft instead");
  }
  return Activate(to, by, "rules.rollback", Activation::kRollback,
                  "rolled back from version " + std::to_string(now.version()));
}

Result<StoredRuleSet> RulesPublisher::Submit(uint32_t version, const Actor& by,
                                             const std::string& note) {
  store::v1::AuditEntry audit = Entry(by, "rules.submit", clock_());
  audit.set_detail(note);
  auto active = versions_.Active();
  if (active.ok() && active->has_value()) audit.set_before_version((*active)->version());
  return versions_.Submit(version, by.name, clock_(), note, std::move(audit));
}

std::string RulesPublisher::Reload(const std::string& rules_path) {
  auto active = versions_.Active();
  const std::string running =
      active.ok() && active->has_value() ? std::to_string((*active)->version()) : "?";
  if (rules_path.empty()) return "SIGHUP: no --rules file to reload; still version " + running;
  auto text = ReadRulesFile(rules_path);
  if (!text.ok()) {
    return "rules reload refused: " + text.status().message() + "; still running version " +
           running;
  }
  if (auto problems = rules_file::Parse(*text, rules_path).problems; !problems.empty()) {
    return "rules reload refused: " + Joined(problems) + "; still running version " + running;
  }
  if (active.ok() && active->has_value() && (*active)->yaml() == *text) {
    return "rules file " + rules_path + " unchanged; still running version " + running;
  }
  const Actor sighup{"sighup", "system"};
  auto draft = Upload(*text, sighup);
  if (!draft.ok()) return "rules reload failed: " + draft.status().message();
  auto made = Activate(draft->version(), sighup, "rules.activate");
  if (!made.ok()) return "rules reload failed: " + made.status().message();
  return "rules reloaded from " + rules_path + " (version " + std::to_string(made->version()) + ")";
}

void RulesPublisher::ArmSchedule() {
  auto all = versions_.List();
  if (!all.ok()) return;
  TimeMs earliest = 0;
  for (const auto& v : *all) {
    if (v.state() == store::v1::SCHEDULED && (earliest == 0 || v.activate_at_ms() < earliest)) {
      earliest = v.activate_at_ms();
    }
  }
  timer_.cancel();
  if (earliest == 0 || !runtime_) return;
  timer_.expires_at(std::chrono::system_clock::time_point(std::chrono::milliseconds(earliest)));
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) RunDue();
  });
}

void RulesPublisher::RunDue() {
  auto all = versions_.List();
  if (!all.ok()) return;
  const StoredRuleSet* due = nullptr;
  for (const auto& v : *all) {
    if (v.state() == store::v1::SCHEDULED && v.activate_at_ms() <= clock_() &&
        (!due || v.activate_at_ms() < due->activate_at_ms())) {
      due = &v;  // in time order: of several due, the last one ends in force
    }
  }
  if (due) {
    const Actor by{due->scheduled_by(), "schedule"};
    if (auto made = Activate(due->version(), by, "rules.activate"); !made.ok()) {
      // Unschedule it, so the timer does not fire for it again and again.
      store::v1::AuditEntry audit = Entry(by, "rules.schedule_failed", clock_());
      audit.set_detail(made.status().message());
      (void)versions_.Schedule(due->version(), 0, by.name, std::move(audit));
    }
  }
  ArmSchedule();
}

}  // namespace loyalty
