#include "tools/loyalty/backup_command.h"

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "adapters/http/client.h"
#include "adapters/rocksdb/audit.h"
#include "adapters/rocksdb/backup.h"
#include "adapters/rocksdb/disk_guard.h"
#include "tools/loyalty/admin_call.h"
#include "tools/loyalty/offline.h"

namespace loyalty::cli {
namespace {

using Json = nlohmann::json;

std::string Absolute(const std::string& path) {
  std::error_code ec;
  const auto p = std::filesystem::weakly_canonical(std::filesystem::absolute(path), ec);
  return ec ? path : p.string();
}

int64_t NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string IsoUtc(int64_t ms) {
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return text;
}

Json RecordJson(const BackupRecord& b) {
  return {{"id", b.id},
          {"created_ms", b.created_ms},
          {"dir", b.dir},
          {"size_bytes", b.size_bytes},
          {"copied_bytes", b.copied_bytes},
          {"files", b.files},
          {"store_id", b.store_id},
          {"schema_version", b.schema_version},
          {"note", b.note},
          {"verified", b.verified}};
}

void PrintDone(const BackupRecord& b, bool online, bool json) {
  if (json) {
    Json j = RecordJson(b);
    j["online"] = online;
    std::cout << j.dump() << "\n";
    return;
  }
  std::cout << "backup " << b.id << " of store " << b.store_id << " in " << b.dir << ", taken "
            << IsoUtc(b.created_ms) << (online ? " from the running server" : "") << ": " << b.files
            << " files, " << HumanBytes(b.size_bytes) << ", " << HumanBytes(b.copied_bytes)
            << " copied"
            << (b.copied_bytes < b.size_bytes ? " (the rest was there from earlier backups)" : "")
            << ", " << (b.verified ? "verified" : "NOT verified") << "\n";
}

BackupRecord FromJson(const Json& j) {
  BackupRecord b;
  b.id = j.value("id", 0u);
  b.created_ms = j.value("created_ms", int64_t{0});
  b.dir = j.value("dir", std::string());
  b.size_bytes = j.value("size_bytes", uint64_t{0});
  b.copied_bytes = j.value("copied_bytes", uint64_t{0});
  b.files = j.value("files", 0u);
  b.store_id = j.value("store_id", std::string());
  b.schema_version = j.value("schema_version", 0u);
  b.note = j.value("note", std::string());
  b.verified = j.value("verified", false);
  return b;
}

// The store is held by a running loyaltyd: ask it, then wait for the result.
int BackupOnline(const BackupOptions& o, const std::string& to) {
  http::ClientRequest req = AdminRequest("POST", "/v1/backups", o.token, 10'000);
  req.body = Json({{"to", to}, {"keep", o.keep}, {"data_dir", Absolute(o.data_dir)}}).dump();
  const int64_t asked_ms = NowMs();
  auto started = http::Call(o.admin, req);
  if (!started.ok()) {
    std::cerr << "loyalty: a loyaltyd holds " << o.data_dir << " but its admin API at " << o.admin
              << " cannot be reached (" << started.status().message()
              << "); give --admin HOST:PORT\n";
    return 3;
  }
  if (started->status != 202) {
    const Json j = Json::parse(started->body, nullptr, false);
    std::cerr << "loyalty: the server refused the backup (" << started->status << " "
              << (j.is_object() ? j.value("code", std::string()) : "")
              << "): " << (j.is_object() ? j.value("message", started->body) : started->body)
              << "\n";
    return 1;
  }
  const http::ClientRequest poll = AdminRequest("GET", "/v1/backups", o.token, 10'000);
  while (true) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    auto state = http::Call(o.admin, poll);
    if (!state.ok()) {
      std::cerr << "loyalty: lost the admin API while the backup ran: " << state.status().message()
                << "\n";
      return 3;
    }
    const Json j = Json::parse(state->body, nullptr, false);
    if (!j.is_object() || j.value("running", false)) continue;
    if (j["last"].is_object() && j["last"].value("created_ms", int64_t{0}) >= asked_ms - 1000 &&
        j["last"].value("dir", std::string()) == to) {
      PrintDone(FromJson(j["last"]), true, o.json);
      return 0;
    }
    std::cerr << "loyalty: the backup failed: "
              << (j["last_error"].is_string() ? j["last_error"].get<std::string>() : "no reason")
              << "\n";
    return 1;
  }
}

int Backup(const BackupOptions& o) {
  if (!std::filesystem::exists(std::filesystem::path(o.data_dir) / "CURRENT")) {
    std::cerr << "loyalty: no database at " << o.data_dir << "\n";
    return 2;
  }
  const std::string to = Absolute(o.to);
  if (Absolute(o.data_dir) == to) {
    std::cerr << "loyalty: --to must be another directory than --data-dir\n";
    return 2;
  }
  StoreOptions options;
  options.path = o.data_dir;
  options.schema = SchemaPolicy::kAny;  // any schema is backed up as it is
  auto store = Store::Open(options);
  if (!store.ok()) {
    if (store.status().message().find("lock") != std::string::npos) return BackupOnline(o, to);
    std::cerr << "loyalty: " << store.status().message() << "\n";
    return 2;
  }
  auto made = (*store)->Backup({to, o.keep, "loyalty backup of a stopped store"});
  if (!made.ok()) {
    std::cerr << "loyalty: the backup failed: " << made.status().message() << "\n";
    return 1;
  }
  PrintDone(*made, false, o.json);
  return 0;
}

int List(const BackupOptions& o) {
  std::vector<uint32_t> corrupt;
  auto all = ListBackups(o.from, &corrupt);
  if (!all.ok()) {
    std::cerr << "loyalty: " << all.status().message() << "\n";
    return 2;
  }
  if (o.json) {
    Json list = Json::array();
    for (const auto& b : *all) list.push_back(RecordJson(b));
    std::cout << Json({{"backups", list}, {"corrupt", corrupt}}).dump() << "\n";
    return corrupt.empty() ? 0 : 1;
  }
  for (const auto& b : *all) {
    std::cout << "backup " << b.id << "  " << IsoUtc(b.created_ms) << "  "
              << HumanBytes(b.size_bytes) << "  store " << b.store_id << "  schema "
              << b.schema_version << "  " << b.note << "\n";
  }
  for (uint32_t id : corrupt) std::cout << "backup " << id << " is CORRUPT\n";
  if (all->empty()) std::cout << "no backups in " << o.from << "\n";
  return corrupt.empty() ? 0 : 1;
}

int Restore(const BackupOptions& o) {
  if (o.list) return List(o);
  if (o.data_dir.empty()) {
    std::cerr << "loyalty restore: --data-dir (where to restore) is required\n";
    return 2;
  }
  auto restored = RestoreBackup(o.from, o.backup_id, o.data_dir);
  if (!restored.ok()) {
    std::cerr << "loyalty: " << restored.status().message() << "\n";
    return restored.status().code() == StatusCode::kInvalidArgument ? 1 : 2;
  }
  if (!o.json) {
    std::cout << "restored backup " << restored->id << " (taken " << IsoUtc(restored->created_ms)
              << ", store " << restored->store_id << ", schema " << restored->schema_version
              << ") into " << o.data_dir << "\n";
  }
  return RunCheck(o.data_dir, o.json);
}

}  // namespace

void AddBackupCommands(CLI::App& app, BackupOptions& o) {
  o.backup = app.add_subcommand(
      "backup", "back a store up into a directory, incrementally and verified (online too)");
  o.backup->add_option("--data-dir", o.data_dir, "the store's directory")->required();
  o.backup->add_option("--to", o.to, "the backup directory (many backups share it)")->required();
  o.backup->add_option("--keep", o.keep, "keep only the newest N backups there (default: all)");
  o.backup->add_option("--admin", o.admin, "a running server's admin API (default 127.0.0.1:7071)");
  o.backup->add_option("--token", o.token,
                       "an admin's bearer token (default: $LOYALTY_ADMIN_TOKEN)");
  o.restore = app.add_subcommand("restore", "restore a backup into a new directory, then check it");
  o.restore->add_option("--from", o.from, "the backup directory")->required();
  o.restore->add_option("--data-dir", o.data_dir, "where to restore (must not exist or be empty)");
  o.restore->add_option("--backup", o.backup_id, "the backup's id (default: the newest)");
  o.restore->add_flag("--list", o.list, "list the backups there instead");
}

int RunBackupCommands(BackupOptions& o) {
  if (o.backup->parsed()) return Backup(o);
  if (o.restore->parsed()) return Restore(o);
  return -1;
}

}  // namespace loyalty::cli
