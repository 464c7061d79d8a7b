// The store's health (store.h StoreHealth): the disk check's thread, RocksDB's
// background errors, and the refusal a write gets while the store is unwell.
#include <rocksdb/db.h>

#include <chrono>

#include "adapters/rocksdb/disk_guard.h"
#include "adapters/rocksdb/store.h"
#include "adapters/rocksdb/store_internal.h"

namespace loyalty {

using store_internal::WallMs;

void Store::WatchDisk() {
  std::unique_lock lock(watch_mu_);
  while (!watch_stop_) {
    watch_cv_.wait_for(lock, std::chrono::milliseconds(options_.disk_check_interval_ms),
                       [this] { return watch_stop_ || check_now_; });
    if (watch_stop_) return;
    lock.unlock();
    CheckDisk();
    lock.lock();
    check_now_ = false;  // errors of its own Resume need no second look at once
  }
}

// The guard's verdict on the disk, and RocksDB's own state: when the disk has
// room again and RocksDB stopped writes after an error, resume it (it flushes
// its memtables and starts a new WAL).
void Store::CheckDisk() {
  DiskGuard::Verdict v;
  if (guard_) {
    v = guard_->Check();
  } else if (auto free = DiskGuard::StatFreeBytes(options_.path); free.ok()) {
    v.free_bytes = *free;
    if (*free < DiskGuard::kNoReserveFreeMinBytes) {
      v.writable = false;
      v.reason = "the disk is full: " + HumanBytes(*free) + " free (no reserve is configured)";
    }
  }
  std::string detail = v.note;
  uint64_t errors_seen;
  bool stopped;
  {
    std::lock_guard lock(health_mu_);
    stopped = rocks_stopped_;
    errors_seen = rocks_errors_;
  }
  if (stopped && v.writable && db_->Resume().ok()) {
    std::lock_guard lock(health_mu_);
    // Only when RocksDB met no new error meanwhile (its flush, say).
    if (rocks_errors_ == errors_seen) {
      rocks_stopped_ = false;
      detail += std::string(detail.empty() ? "" : "; ") + "RocksDB resumed writing";
    }
  }
  UpdateHealth(v.writable, v.reason, detail, v.free_bytes);
}

void Store::OnRocksError(std::string detail) {
  const bool full = detail.find("No space left") != std::string::npos;
  bool disk_ok;
  uint64_t free_bytes;
  {
    std::lock_guard lock(health_mu_);
    rocks_stopped_ = true;
    rocks_errors_ += 1;
    rocks_reason_ = full ? "the disk is full" : "a write to disk failed";
    disk_ok = disk_ok_;
    free_bytes = health_.free_bytes;
  }
  {
    std::lock_guard lock(watch_mu_);  // look at the disk now (release the reserve)
    check_now_ = true;
  }
  watch_cv_.notify_all();
  std::string disk_reason;
  {
    std::lock_guard lock(health_mu_);
    disk_reason = disk_reason_;
  }
  UpdateHealth(disk_ok, disk_reason, "RocksDB: " + detail, free_bytes);
}

// Writable when the disk has room (`disk_ok`) and RocksDB has no error that
// stopped it; decided under the lock, so that what the disk check saw and an
// error RocksDB reports meanwhile cannot undo each other.
void Store::UpdateHealth(bool disk_ok, std::string disk_reason, std::string detail,
                         uint64_t free_bytes) {
  StoreHealth told;
  {
    std::lock_guard lock(health_mu_);
    disk_ok_ = disk_ok;
    disk_reason_ = disk_reason;
    const bool writable = disk_ok && !rocks_stopped_;
    health_.free_bytes = free_bytes;
    // Kept current (free space changes) even when nothing flips.
    health_.reason = !disk_ok ? disk_reason : rocks_stopped_ ? rocks_reason_ : "";
    if (!detail.empty()) health_.detail = std::move(detail);
    if (writable == health_.writable) return;
    health_.writable = writable;
    health_.since_ms = WallMs();
    writable_.store(writable);
    told = health_;
    if (writable) health_.detail.clear();
  }
  if (options_.on_health) options_.on_health(told);
}

StoreHealth Store::health() const {
  std::lock_guard lock(health_mu_);
  return health_;
}

Status Store::Refusal() const {
  std::lock_guard lock(health_mu_);
  return Status::Unavailable("store unavailable: " + health_.reason);
}

// The register sees why in general terms; the path and RocksDB's words go to
// the operator's log (on_health, with the detail).
Status Store::WriteFailed(const std::string& what, const rocksdb::Status& s) {
  commit_failures_.fetch_add(1, std::memory_order_relaxed);
  // Whether or not RocksDB stopped itself (OnRocksError then told why
  // already), no write goes on until the disk check has found room and
  // RocksDB resumes: readiness says so at once.
  if (writable_.load()) OnRocksError(s.ToString());
  if (!writable_.load()) return Refusal();
  return Status::Unavailable("store unavailable: " + what + " failed (" +
                             (s.IsNoSpace() ? "the disk is full" : "a disk error") + ")");
}

}  // namespace loyalty
