#include "tools/loyalty/publish.h"

#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "adapters/http/client.h"
#include "tools/loyalty/admin_call.h"
#include "tools/report/format.h"

namespace loyalty::cli {
namespace {

using Json = nlohmann::json;

void AddAdminOptions(CLI::App* cmd, PublishOptions& o) {
  cmd->add_option("--admin", o.admin,
                  "HOST:PORT of loyaltyd's admin API, https://HOST:PORT when admin_tls is on (CA: "
                  "$LOYALTY_CA; default 127.0.0.1:7071)");
  cmd->add_option("--token", o.token, "bearer token (default: $LOYALTY_ADMIN_TOKEN)");
}

// "2026-12-01T06:00:00Z" as milliseconds since the epoch; -1 when malformed.
int64_t ParseUtc(const std::string& text) {
  std::tm tm{};
  std::istringstream in(text);
  in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%SZ");
  if (in.fail() || in.peek() != EOF) return -1;
  return static_cast<int64_t>(timegm(&tm)) * 1000;
}

std::string Line(const Json& v) {
  std::string out = "version " + std::to_string(v.value("version", 0)) + " " +
                    v.value("state", std::string()) + " '" + v.value("name", std::string()) +
                    "' by " + v.value("author", std::string());
  if (v.contains("activate_at_ms")) {
    out += ", activates at " + report::IsoDateTime(v["activate_at_ms"].get<int64_t>(), 0);
  }
  return out;
}

int Show(const PublishOptions& o, const http::ClientReply& reply) {
  const Json j = Json::parse(reply.body, nullptr, false);
  if (o.json || j.is_discarded()) {
    std::cout << reply.body;
  } else if (reply.status >= 400) {
    std::cout << "refused (" << reply.status << " " << j.value("code", std::string())
              << "): " << j.value("message", std::string()) << "\n";
    for (const auto& p : j.value("problems", Json::array())) {
      std::cout << "  line " << p["line"] << ", column " << p["column"] << ": "
                << p["message"].get<std::string>() << "\n";
    }
  } else if (j.contains("versions")) {
    for (const auto& v : j["versions"]) std::cout << Line(v) << "\n";
  } else if (o.show && o.show->parsed()) {
    std::cout << "# " << Line(j) << "\n" << j.value("yaml", std::string());
  } else {
    std::cout << Line(j) << "\n";
  }
  return reply.status >= 400 ? 1 : 0;
}

}  // namespace

void AddPublishCommands(CLI::App* rules, PublishOptions& o) {
  o.list = rules->add_subcommand("list", "the stored rule-set versions and their states");
  o.show = rules->add_subcommand("show", "one stored version, with its YAML");
  o.show->add_option("version", o.version, "version number")->required();
  o.upload = rules->add_subcommand("upload", "store a rules file as a new draft version");
  o.upload->add_option("file", o.file, "rules file (YAML)")->required();
  o.activate = rules->add_subcommand("activate", "put a version in force, now or --at a time");
  o.activate->add_option("version", o.version, "version number")->required();
  o.activate->add_option("--at", o.at, "UTC time, e.g. 2026-12-01T06:00:00Z (default: now)");
  o.activate->add_flag("--requalify-tiers", o.requalify,
                       "confirm: customers of a tier the version drops start over from the "
                       "lowest tier and qualify again");
  o.rollback = rules->add_subcommand(
      "rollback", "put back the version the one in force replaced, or --to a version");
  o.rollback->add_option("--to", o.to, "a version that was in force once");
  o.submit = rules->add_subcommand("submit", "ask for a draft's approval (four eyes)");
  o.submit->add_option("version", o.version, "version number")->required();
  o.submit->add_option("--note", o.note, "what the change is for");
  for (CLI::App* cmd : {o.list, o.show, o.upload, o.activate, o.rollback, o.submit}) {
    AddAdminOptions(cmd, o);
  }
}

int RunPublish(PublishOptions& o) {
  http::ClientRequest req;
  if (o.list->parsed()) {
    req.target = "/v1/rulesets";
  } else if (o.show->parsed()) {
    req.target = "/v1/rulesets/" + std::to_string(o.version);
  } else if (o.upload->parsed()) {
    std::ifstream in(o.file);
    if (!in) {
      std::cerr << "loyalty: " << o.file << ": cannot be read\n";
      return 2;
    }
    std::stringstream text;
    text << in.rdbuf();
    req = {"POST", "/v1/rulesets", "", text.str(), "application/yaml"};
  } else if (o.activate->parsed()) {
    req = {"POST", "/v1/rulesets/" + std::to_string(o.version) + "/activate"};
    Json body = Json::object();
    if (!o.at.empty()) {
      const int64_t at_ms = ParseUtc(o.at);
      if (at_ms < 0) {
        std::cerr << "loyalty: --at '" << o.at << "' is not YYYY-MM-DDTHH:MM:SSZ (UTC)\n";
        return 2;
      }
      body["at_ms"] = at_ms;
    }
    if (o.requalify) body["tier_migration"] = "requalify";
    if (!body.empty()) req.body = body.dump();
  } else if (o.rollback->parsed()) {
    req = {"POST", "/v1/rulesets/rollback"};
    if (o.to != 0) req.body = Json({{"to", o.to}}).dump();
  } else if (o.submit->parsed()) {
    req = {"POST", "/v1/rulesets/" + std::to_string(o.version) + "/submit"};
    if (!o.note.empty()) req.body = Json({{"note", o.note}}).dump();
  } else {
    return -1;
  }
  const http::ClientRequest with = AdminRequest(req.method, req.target, o.token, o.timeout_ms);
  req.token = with.token;
  req.timeout_ms = with.timeout_ms;
  req.ca_path = with.ca_path;
  auto reply = http::Call(o.admin, req);
  if (!reply.ok()) {
    std::cerr << "loyalty: " << reply.status().message() << "\n";
    return 3;
  }
  return Show(o, *reply);
}

}  // namespace loyalty::cli
