#include "tools/loyaltyd/admin_backups.h"

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "tools/loyaltyd/admin_json.h"
#include "tools/report/format.h"

namespace loyalty {
namespace {

using http::JsonError;
using http::Request;
using http::Respond;
using Json = nlohmann::json;

std::string Canonical(const std::string& path) {
  std::error_code ec;
  const auto c = std::filesystem::weakly_canonical(path, ec);
  return ec ? path : c.string();
}

// "2026-12-01T06:00:00+00:00" beside the milliseconds (people read dates).
std::string IsoUtc(int64_t ms) { return report::IsoDateTime(ms, 0); }

Json RecordJson(const BackupRecord& b) {
  return {{"id", b.id},       {"created_ms", b.created_ms}, {"created", IsoUtc(b.created_ms)},
          {"dir", b.dir},     {"size_bytes", b.size_bytes}, {"copied_bytes", b.copied_bytes},
          {"files", b.files}, {"store_id", b.store_id},     {"schema_version", b.schema_version},
          {"note", b.note},   {"verified", b.verified}};
}

}  // namespace

AdminBackups::AdminBackups(std::function<std::string()> why_not_ready)
    : why_not_ready_(std::move(why_not_ready)) {}

void AdminBackups::Attach(Backups* backups, AuditLog* audit, const std::string& data_dir) {
  audit_ = audit;
  data_dir_ = Canonical(data_dir);
  backups_ = backups;  // last: from here on requests are served
}

void AdminBackups::AddRoutes(http::Router& router) {
  using P = http::Permission;
  router.Add({"GET", "/v1/backups", P::kBackupsRead,
              [this](const Request& r, Respond respond) { Get(r, std::move(respond)); }});
  router.Add({"POST", "/v1/backups", P::kBackupsRun,
              [this](const Request& r, Respond respond) { Post(r, std::move(respond)); }});
}

void AdminBackups::Get(const Request&, Respond respond) {
  Backups* backups = backups_.load();
  if (!backups) return respond(JsonError(503, "NOT_READY", why_not_ready_()));
  const Backups::State s = backups->state();
  Json j = {{"running", s.running}, {"data_dir", data_dir_}};
  j["last"] = s.last ? RecordJson(*s.last) : Json(nullptr);
  if (s.running) {
    j["running_dir"] = s.running_dir;
    j["running_since_ms"] = s.running_since_ms;
  }
  j["last_error"] = s.last_error.empty() ? Json(nullptr) : Json(s.last_error);
  if (!s.last_error.empty()) j["last_error_ms"] = s.last_error_ms;
  if (s.next_scheduled_ms > 0) {
    j["next_scheduled_ms"] = s.next_scheduled_ms;
    j["next_scheduled"] = IsoUtc(s.next_scheduled_ms);
  }
  respond({200, j.dump(2) + "\n"});
}

void AdminBackups::Post(const Request& r, Respond respond) {
  Backups* backups = backups_.load();
  if (!backups) return respond(JsonError(503, "NOT_READY", why_not_ready_()));
  const Json body = r.body.empty() ? Json::object() : Json::parse(r.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return respond(JsonError(400, "BAD_BODY", "the body must be a JSON object: {\"to\": DIR}"));
  }
  BackupRequest request;
  request.note = "asked by " + r.principal->name;
  if (body.contains("to")) {
    if (!body["to"].is_string() || body["to"].get<std::string>().empty() ||
        body["to"].get<std::string>()[0] != '/') {
      return respond(JsonError(422, "INVALID_FIELD", "to must be an absolute directory path"));
    }
    request.dir = body["to"].get<std::string>();
  }
  if (body.contains("keep")) {
    if (!body["keep"].is_number_unsigned() || body["keep"].get<uint64_t>() > 10'000) {
      return respond(JsonError(422, "INVALID_FIELD", "keep must be a whole number 0..10000"));
    }
    request.keep = body["keep"].get<uint32_t>();
  }
  if (body.contains("data_dir")) {
    if (!body["data_dir"].is_string() ||
        Canonical(body["data_dir"].get<std::string>()) != data_dir_) {
      return respond(
          JsonError(409, "WRONG_STORE",
                    "this server's store is " + data_dir_ + ", not " +
                        (body["data_dir"].is_string() ? body["data_dir"].get<std::string>()
                                                      : std::string("that"))));
    }
  }
  const Status started = backups->Start(std::move(request), r.principal->name);
  if (started.code() == StatusCode::kUnavailable) {
    return respond(JsonError(409, "BUSY", started.message()));
  }
  if (!started.ok()) return respond(JsonError(422, "INVALID_FIELD", started.message()));
  if (audit_) {
    (void)audit_->Append(admin::AuditEntryOf(*r.principal, "backup.start",
                                             backups->state().running_dir, admin::WallNowMs()));
  }
  respond({202, Json({{"started", true}, {"dir", backups->state().running_dir}}).dump(2) + "\n"});
}

}  // namespace loyalty
