#include "tools/loyaltyd/admin_publish.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>

#include "tools/loyaltyd/activation_check.h"
#include "tools/loyaltyd/admin_json.h"
#include "tools/report/format.h"
#include "tools/report/svg.h"
#include "tools/simulate/render.h"
#include "tools/simulate/simulator.h"

namespace loyalty {
namespace {

using admin::Json;
using admin::Ok;
using http::JsonError;
using http::Request;
using http::Respond;
using http::Response;

const char* StateName(store::v1::RuleSetState s) {
  switch (s) {
    case store::v1::DRAFT: return "draft";
    case store::v1::SCHEDULED: return "scheduled";
    case store::v1::ACTIVE: return "active";
    case store::v1::RETIRED: return "retired";
    default: return "unknown";
  }
}

Json VersionJson(const StoredRuleSet& v, bool with_text, int32_t offset) {
  Json j = {{"version", v.version()},
            {"name", v.name()},
            {"author", v.author()},
            {"state", StateName(v.state())},
            {"created_ms", v.created_ms()},
            {"activated_by", v.activated_by()},
            {"activated_ms", v.activated_ms()},
            {"was_active", v.was_active()},
            {"replaced_version", v.replaced_version()},
            {"submitted_ms", v.submitted_ms()}};
  auto at = [&](const char* key, int64_t ms) {
    if (ms != 0) j[key] = report::IsoDateTime(ms, offset);
  };
  at("created_at", v.created_ms());
  at("activated_at", v.activated_ms());
  if (v.submitted_ms() != 0) {
    at("submitted_at", v.submitted_ms());
    j["submitted_by"] = v.submitted_by();
    j["submit_note"] = v.submit_note();
  }
  if (v.state() == store::v1::SCHEDULED) {
    j["activate_at_ms"] = v.activate_at_ms();
    at("activate_at", v.activate_at_ms());
    j["scheduled_by"] = v.scheduled_by();
  }
  if (with_text) j["yaml"] = v.yaml();
  return j;
}

Json ProblemsJson(const std::vector<rules_file::Problem>& problems) {
  Json list = Json::array();
  for (const auto& p : problems) {
    list.push_back({{"line", p.line}, {"column", p.column}, {"message", p.message}});
  }
  return list;
}

// What the console shows beside a valid file: its currency, tiers, rules.
Json SummaryJson(const RuleSet& rules) {
  Json tiers = Json::array(), earn = Json::array(), offers = Json::array();
  for (const Tier& t : rules.tiers) tiers.push_back(t.id);
  for (const EarnRule& e : rules.earn_rules) earn.push_back(e.id);
  for (const Offer& o : rules.offers) offers.push_back(o.id);
  return {{"name", rules.name},
          {"currency", rules.program.currency},
          {"tiers", tiers},
          {"earn_rules", earn},
          {"offers", offers}};
}

// The activation body: {"at_ms": T, "tier_migration": "requalify"}, both
// optional; else the reason it is refused.
struct ActivateBody {
  TimeMs at_ms = 0;
  bool requalify = false;
};
std::optional<std::string> ReadActivate(const Json& j, ActivateBody* out) {
  if (j.is_null()) return std::nullopt;  // no body
  if (!j.is_object()) {
    return "the body must be empty (activate now) or a JSON object";
  }
  for (const auto& [key, value] : j.items()) {
    if (key == "at_ms") {
      if (!value.is_number_integer()) return "at_ms must be milliseconds since the epoch";
      out->at_ms = value.get<TimeMs>();
    } else if (key == "tier_migration") {
      if (value != "requalify") {
        return "tier_migration must be \"requalify\": customers of a dropped tier start over "
               "from the lowest tier and qualify again on their last 12 months";
      }
      out->requalify = true;
    } else {
      return key + " is not a field (at_ms, tier_migration)";
    }
  }
  return std::nullopt;
}

std::string VersionLabel(const StoredRuleSet& v, const char* what) {
  return "version " + std::to_string(v.version()) + " '" + v.name() + "' (" + what + ")";
}

// A temporary copy of an uploaded events file, removed when done.
class TempFile {
 public:
  TempFile(const std::string& dir, const std::string& suffix, const std::string& body) {
    std::string pattern = dir + "/simulate-XXXXXX" + suffix;
    const int fd = mkstemps(pattern.data(), static_cast<int>(suffix.size()));
    if (fd < 0) return;
    ::close(fd);
    std::ofstream(pattern, std::ios::binary) << body;
    path_ = pattern;
  }
  ~TempFile() {
    if (!path_.empty()) std::remove(path_.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace

void AdminPublish::Attach(Runtime* runtime, RulesPublisher* publisher, Store* store,
                          Worker* worker) {
  runtime_ = runtime;
  store_ = store;
  worker_ = worker;
  publisher_ = publisher;
}

void AdminPublish::AddRoutes(http::Router& router) {
  using P = http::Permission;
  auto bind = [this](void (AdminPublish::*f)(const Request&, Respond)) {
    return admin::Bind(
        this, f, [this] { return publisher_ != nullptr; }, why_not_ready_);
  };
  router.Add({"GET", "/v1/rulesets", P::kRulesRead, bind(&AdminPublish::Rulesets)});
  // Every change of a rule set settles: in a replicated group its answer
  // waits until a standby has it (Router::SetSettle, daemon.h).
  constexpr bool kSettles = true;
  router.Add({"POST", "/v1/rulesets", P::kRulesDraft, bind(&AdminPublish::Upload), kSettles});
  router.Add({"POST", "/v1/rulesets/validate", P::kRulesDraft, bind(&AdminPublish::Validate)});
  router.Add(
      {"POST", "/v1/rulesets/rollback", P::kRulesPublish, bind(&AdminPublish::Rollback), kSettles});
  router.Add({"GET", "/v1/rulesets/{version}", P::kRulesRead, bind(&AdminPublish::Ruleset)});
  router.Add({"POST", "/v1/rulesets/{version}/submit", P::kRulesDraft, bind(&AdminPublish::Submit),
              kSettles});
  router.Add(
      {"POST", "/v1/rulesets/{version}/simulate", P::kRulesDraft, bind(&AdminPublish::Simulate)});
  router.Add({"POST", "/v1/rulesets/{version}/activate", P::kRulesPublish,
              bind(&AdminPublish::Activate), kSettles});
}

void AdminPublish::Rulesets(const Request&, Respond respond) {
  auto all = publisher_->versions().List();
  if (!all.ok()) return respond(admin::FromStatus(all.status()));
  const auto rules = runtime_->rules();
  Json list = Json::array();
  uint32_t active = 0, rollback_to = 0;
  for (const auto& v : *all) {
    list.push_back(VersionJson(v, false, rules->program.utc_offset_minutes));
    if (v.state() == store::v1::ACTIVE) {
      active = v.version();
      rollback_to = v.replaced_version();
    }
  }
  respond(Ok({{"active", active},
              {"rollback_to", rollback_to},
              {"currency", rules->program.currency},
              {"utc_offset_minutes", rules->program.utc_offset_minutes},
              {"versions", list}}));
}

std::optional<StoredRuleSet> AdminPublish::Find(const Request& r, const Respond& respond) const {
  const auto version = admin::Number(r.params.at("version"));
  if (!version || *version > UINT32_MAX) {
    respond(JsonError(400, "BAD_VERSION", "version must be a whole number"));
    return std::nullopt;
  }
  auto v = publisher_->versions().Get(static_cast<uint32_t>(*version));
  if (!v.ok()) {
    respond(admin::FromStatus(v.status()));
    return std::nullopt;
  }
  if (!v->has_value()) {
    respond(JsonError(404, "NOT_FOUND",
                      "rule set version " + r.params.at("version") + " does not exist"));
  }
  return std::move(*v);
}

void AdminPublish::Ruleset(const Request& r, Respond respond) {
  const auto v = Find(r, respond);
  if (!v) return;
  Json j = VersionJson(*v, true, runtime_->rules()->program.utc_offset_minutes);
  if (auto rules = publisher_->Parsed(*v); rules.ok()) j["summary"] = SummaryJson(**rules);
  respond(Ok(j));
}

namespace {

// 413 when a rule set is over kRulesBytesMax.
std::optional<Response> TooLarge(const std::string& yaml) {
  if (yaml.size() <= AdminPublish::kRulesBytesMax) return std::nullopt;
  return JsonError(413, "RULES_TOO_LARGE",
                   "a rule set is at most " + std::to_string(AdminPublish::kRulesBytesMax) +
                       " bytes; this one is " + std::to_string(yaml.size()));
}

}  // namespace

void AdminPublish::Validate(const Request& r, Respond respond) {
  if (auto big = TooLarge(r.body)) return respond(*big);
  const auto loaded = rules_file::Parse(r.body, "rules");
  Json j = {{"valid", loaded.problems.empty()},
            {"problems", ProblemsJson(loaded.problems)},
            {"currency_in_force", runtime_->rules()->program.currency}};
  if (loaded.rules) j["summary"] = SummaryJson(*loaded.rules);
  respond(Ok(j));
}

void AdminPublish::Upload(const Request& r, Respond respond) {
  if (auto big = TooLarge(r.body)) return respond(*big);
  if (auto problems = publisher_->Validate(r.body); !problems.empty()) {
    Json j = {{"code", "INVALID_RULES"},
              {"message", "the rules have " + std::to_string(problems.size()) +
                              " mistake(s); nothing was stored"},
              {"problems", ProblemsJson(problems)}};
    return respond(Ok(j, 422));
  }
  auto draft = publisher_->Upload(r.body, admin::ActorOf(r));
  if (!draft.ok()) return respond(admin::FromStatus(draft.status()));
  respond(Ok(VersionJson(*draft, false, runtime_->rules()->program.utc_offset_minutes), 201));
}

void AdminPublish::Submit(const Request& r, Respond respond) {
  const auto stored = Find(r, respond);
  if (!stored) return;
  std::string note;
  if (!r.body.empty()) {
    Json j;
    if (auto bad = admin::ParseBody(r.body, &j)) return respond(*bad);
    if (!j.is_object() || (j.size() == 1 && !j.contains("note")) || j.size() > 1 ||
        (j.contains("note") && !j["note"].is_string())) {
      return respond(JsonError(400, "BAD_BODY", "the body must be empty or {\"note\": TEXT}"));
    }
    note = j.value("note", std::string());
  }
  auto made = publisher_->Submit(stored->version(), admin::ActorOf(r), note);
  if (!made.ok()) return respond(admin::FromStatus(made.status()));
  respond(Ok(VersionJson(*made, false, runtime_->rules()->program.utc_offset_minutes)));
}

void AdminPublish::Simulate(const Request& r, Respond respond) {
  const auto stored = Find(r, respond);
  if (!stored) return;
  auto candidate = publisher_->Parsed(*stored);
  if (!candidate.ok()) return respond(admin::FromStatus(candidate.status()));
  const auto s = r.query.find("source");
  const std::string source = s == r.query.end() ? "data" : s->second;
  std::shared_ptr<TempFile> upload;
  std::string path = options_.simulate_data;
  if (source == "data") {
    if (path.empty()) {
      return respond(JsonError(404, "NO_DATA",
                               "no data set to simulate on: set simulate_data in the config, or "
                               "upload events (source=upload)"));
    }
  } else if (source == "upload") {
    const auto f = r.query.find("format");
    const std::string format = f == r.query.end() ? "jsonl" : f->second;
    if (format != "jsonl" && format != "csv") {
      return respond(JsonError(400, "BAD_FORMAT",
                               "format must be jsonl (docs/EVENTS.md) or csv (Online Retail)"));
    }
    if (r.body.empty()) return respond(JsonError(400, "BAD_BODY", "the body must be the events"));
    upload = std::make_shared<TempFile>(options_.temp_dir, "." + format, r.body);
    if (upload->path().empty()) {
      return respond(JsonError(500, "STORE_FAILED", "cannot keep the uploaded events"));
    }
    path = upload->path();
  } else {
    return respond(JsonError(400, "BAD_SOURCE", "source must be data or upload"));
  }
  auto active = publisher_->versions().Active();
  if (!active.ok() || !active->has_value()) {
    return respond(JsonError(503, "NOT_READY", "no version is in force"));
  }
  const std::string baseline_label = VersionLabel(**active, "in force");
  const std::string candidate_label = VersionLabel(*stored, StateName(stored->state()));
  worker_->Queue(
      [this, path, upload, respond, baseline_label, candidate_label, candidate = *candidate] {
        const auto start = std::chrono::steady_clock::now();
        // An upload's mistakes name "the uploaded file", not where it waited.
        auto told = [&](const Status& s) {
          std::string m = s.message();
          if (upload) {
            for (std::size_t at; (at = m.find(path)) != std::string::npos;) {
              m.replace(at, path.size(), "the uploaded file");
            }
          }
          return m;
        };
        auto events = simulate::EventSource::Open(path);
        if (!events.ok()) return respond(JsonError(422, "BAD_EVENTS", told(events.status())));
        auto c = simulate::Compare(**events, runtime_->rules(), candidate);
        if (!c.ok()) return respond(JsonError(422, "BAD_EVENTS", told(c.status())));
        simulate::Labels labels{baseline_label, candidate_label, candidate->program.currency, 0};
        labels.seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        respond(Ok(simulate::ComparisonToJson(*c, labels)));
      },
      respond);
}

void AdminPublish::Activate(const Request& r, Respond respond) {
  const auto stored = Find(r, respond);
  if (!stored) return;
  ActivateBody body;
  Json j;
  if (!r.body.empty()) {
    if (auto bad = admin::ParseBody(r.body, &j)) return respond(*bad);
  }
  if (auto bad = ReadActivate(j, &body)) return respond(JsonError(400, "BAD_BODY", *bad));
  // Four eyes, for every role: the author does not approve their own draft.
  std::string detail;
  if (stored->author() == r.principal->name && !stored->was_active()) {
    if (r.principal->role != http::Role::kAdmin || !options_.admin_self_approval) {
      return respond(JsonError(403, "OWN_DRAFT",
                               "version " + r.params.at("version") + " was uploaded by " +
                                   r.principal->name +
                                   "; another publisher must activate it (four eyes, for every "
                                   "role)"));
    }
    detail = "own draft, approved by its author: admin_self_approval is on";
  }
  const TimeMs now_ms = publisher_->now();
  if (body.at_ms != 0 && body.at_ms <= now_ms) {
    return respond(JsonError(422, "PAST_TIME",
                             "at_ms " + std::to_string(body.at_ms) + " is not in the future (now " +
                                 std::to_string(now_ms) +
                                 "): give a later time, or none to activate now"));
  }
  auto candidate = publisher_->Parsed(*stored);
  if (!candidate.ok()) return respond(admin::FromStatus(candidate.status()));
  const uint32_t version = stored->version();
  const Actor by = admin::ActorOf(r);
  worker_->Queue(
      [this, respond, body, detail, version, by, candidate = *candidate,
       in_force = runtime_->rules()]() mutable {
        auto risks = CheckActivation(*store_, *in_force, *candidate);
        if (!risks.ok()) return respond(admin::FromStatus(risks.status()));
        if (risks->currency_differs()) {
          return respond(
              JsonError(409, "CURRENCY_MISMATCH",
                        "version " + std::to_string(version) + " is in " +
                            risks->currency_candidate + " but the money of the program's " +
                            report::CountOf(risks->customers, "customer", "customers") + " is in " +
                            risks->currency_in_force +
                            ": every sale after it would be refused; write the rules in " +
                            risks->currency_in_force));
        }
        if (!risks->dropped_tiers.empty()) {
          if (!body.requalify) {
            Json j = {{"code", "TIERS_DROPPED"},
                      {"message", "version " + std::to_string(version) + " has no " +
                                      risks->DroppedTiersText() +
                                      ": at their next event those customers would start over "
                                      "from the lowest tier and qualify again on their last 12 "
                                      "months; confirm with {\"tier_migration\": \"requalify\"}"},
                      {"dropped_tiers", risks->dropped_tiers}};
            return respond(Ok(j, 409));
          }
          detail += (detail.empty() ? "" : "; ") +
                    std::string("tier migration confirmed (requalify from the lowest tier): ") +
                    risks->DroppedTiersText();
        }
        publisher_->Post([this, respond, body, detail, version, by] {
          auto made = body.at_ms != 0 ? publisher_->Schedule(version, body.at_ms, by, detail)
                                      : publisher_->Activate(version, by, "rules.activate",
                                                             Activation::kForward, detail);
          if (!made.ok()) return respond(admin::FromStatus(made.status()));
          respond(Ok(VersionJson(*made, false, runtime_->rules()->program.utc_offset_minutes)));
        });
      },
      respond);
}

void AdminPublish::Rollback(const Request& r, Respond respond) {
  uint32_t to = 0;
  if (!r.body.empty()) {
    Json j;
    if (auto bad = admin::ParseBody(r.body, &j)) return respond(*bad);
    if (!j.is_object() || j.size() != 1 || !j.contains("to") || !j["to"].is_number_unsigned() ||
        j["to"].get<uint64_t>() > UINT32_MAX) {
      return respond(JsonError(400, "BAD_BODY",
                               "the body must be empty (the version the one in force replaced) "
                               "or {\"to\": VERSION}"));
    }
    to = j["to"].get<uint32_t>();
  }
  auto made = publisher_->Rollback(admin::ActorOf(r), to);
  if (!made.ok()) return respond(admin::FromStatus(made.status()));
  respond(Ok(VersionJson(*made, false, runtime_->rules()->program.utc_offset_minutes)));
}

}  // namespace loyalty
