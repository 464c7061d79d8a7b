#include "tools/loyaltyd/backups.h"

#include <chrono>
#include <limits>

#include "adapters/rocksdb/disk_guard.h"
#include "tools/wiring/background.h"

namespace loyalty {

Backups::Backups(Store& store, BackupSchedule schedule, Clock now, Log info, Log warn)
    : store_(store),
      schedule_(std::move(schedule)),
      now_(std::move(now)),
      info_(std::move(info)),
      warn_(std::move(warn)) {
  if (auto last = store_.LastBackup(); last.ok()) state_.last = *last;
  if (schedule_.interval_ms > 0 && !schedule_.dir.empty()) {
    // The first run one interval after the last backup (at once if overdue).
    const int64_t last_ms = state_.last ? state_.last->created_ms : 0;
    state_.next_scheduled_ms = std::max(now_(), last_ms + schedule_.interval_ms);
  }
  worker_ = std::thread([this] {
    YieldToSales();
    Work();
  });
}

Backups::~Backups() { Stop(); }

void Backups::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

Status Backups::Start(BackupRequest request, const std::string& who) {
  if (request.dir.empty()) request.dir = schedule_.dir;
  if (request.dir.empty()) {
    return Status::Invalid("no backup directory: give \"to\" or configure backup_dir");
  }
  std::lock_guard lock(mu_);
  if (state_.running || asked_) {
    return Status::Unavailable("a backup into " + state_.running_dir + " is running; wait for it");
  }
  if (stop_) return Status::Unavailable("loyaltyd is stopping");
  asked_ = {std::move(request), who};
  state_.running = true;
  state_.running_dir = asked_->first.dir;
  state_.running_since_ms = now_();
  cv_.notify_all();
  return Status::Ok();
}

Backups::State Backups::state() const {
  std::lock_guard lock(mu_);
  return state_;
}

double Backups::AgeSeconds() const {
  std::lock_guard lock(mu_);
  if (!state_.last) return std::numeric_limits<double>::infinity();
  return double(now_() - state_.last->created_ms) / 1000;
}

void Backups::Work() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    if (asked_) {
      auto [request, who] = std::move(*asked_);
      asked_.reset();
      lock.unlock();
      Run(request, who);
      lock.lock();
      continue;
    }
    if (state_.next_scheduled_ms > 0 && now_() >= state_.next_scheduled_ms) {
      state_.next_scheduled_ms = now_() + schedule_.interval_ms;
      state_.running = true;
      state_.running_dir = schedule_.dir;
      state_.running_since_ms = now_();
      lock.unlock();
      Run({schedule_.dir, schedule_.keep, "scheduled"}, "schedule");
      lock.lock();
      continue;
    }
    const int64_t wait_ms = state_.next_scheduled_ms > 0
                                ? std::max<int64_t>(1, state_.next_scheduled_ms - now_())
                                : 3'600'000;
    cv_.wait_for(lock, std::chrono::milliseconds(wait_ms));
  }
}

void Backups::Run(const BackupRequest& request, const std::string& who) {
  info_("backup into " + request.dir + " started by " + who);
  auto made = store_.Backup(request);
  std::lock_guard lock(mu_);
  state_.running = false;
  if (made.ok()) {
    state_.succeeded += 1;
    state_.last = *made;
    state_.last_error.clear();
    info_("backup " + std::to_string(made->id) + " into " + request.dir +
          " done and verified: " + std::to_string(made->files) + " files, " +
          HumanBytes(made->size_bytes) + ", " + HumanBytes(made->copied_bytes) + " copied" +
          (made->copied_bytes < made->size_bytes ? " (the rest was there from earlier backups)"
                                                 : ""));
  } else {
    state_.failed += 1;
    state_.last_error = made.status().message();
    state_.last_error_ms = now_();
    warn_("backup into " + request.dir + " failed: " + made.status().message());
  }
}

}  // namespace loyalty
