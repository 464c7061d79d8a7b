#include "adapters/rocksdb/disk_guard.h"

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace loyalty {

std::string HumanBytes(uint64_t bytes) {
  const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
  double v = double(bytes);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    u += 1;
  }
  char text[32];
  if (u == 0) {
    std::snprintf(text, sizeof text, "%llu bytes", static_cast<unsigned long long>(bytes));
  } else {
    std::snprintf(text, sizeof text, "%.1f %s", v, units[u]);
  }
  return text;
}

Result<uint64_t> DiskGuard::StatFreeBytes(const std::string& dir) {
  struct statvfs st {};
  if (::statvfs(dir.c_str(), &st) != 0) {
    return Status::IoError("statvfs " + dir + ": " + std::strerror(errno));
  }
  return uint64_t(st.f_bavail) * uint64_t(st.f_frsize);
}

DiskGuard::DiskGuard(std::string dir, uint64_t reserve_bytes, FreeBytesFn free_bytes)
    : dir_(std::move(dir)), reserve_(reserve_bytes), free_bytes_(std::move(free_bytes)) {}

std::string DiskGuard::BallastPath() const { return dir_ + "/" + kBallastName; }

bool DiskGuard::ballast_in_place() const {
  std::error_code ec;
  const auto size = std::filesystem::file_size(BallastPath(), ec);
  return !ec && size == reserve_;
}

bool DiskGuard::ReleaseBallast() { return ::unlink(BallastPath().c_str()) == 0; }

Status DiskGuard::MakeBallast() {
  const std::string path = BallastPath();
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IoError("create " + path + ": " + std::strerror(errno));
  // posix_fallocate really allocates (no sparse file that takes nothing).
  const int err = ::posix_fallocate(fd, 0, static_cast<off_t>(reserve_));
  const bool synced = err == 0 && ::fsync(fd) == 0;
  ::close(fd);
  if (err != 0 || !synced) {
    ::unlink(path.c_str());
    return Status::IoError("allocate " + path + ": " + std::strerror(err != 0 ? err : errno));
  }
  return Status::Ok();
}

std::string DiskGuard::ShortReason(uint64_t free_bytes) const {
  return "the disk is full: " + HumanBytes(free_bytes) + " free, writes resume when " +
         HumanBytes(2 * reserve_) + " is free (twice the reserve of " + HumanBytes(reserve_) + ")";
}

DiskGuard::Verdict DiskGuard::BeforeOpen() {
  Verdict v;
  auto free = free_bytes_(dir_);
  if (!free.ok()) return v;  // the directory may not exist yet: RocksDB makes it
  v.free_bytes = *free;
  if (*free < reserve_ && ReleaseBallast()) {
    v.note = "the disk holding the store has " + HumanBytes(*free) + " free: released the " +
             HumanBytes(reserve_) + " reserve so that the store can open";
    if (auto after = free_bytes_(dir_); after.ok()) v.free_bytes = *after;
  }
  return v;
}

DiskGuard::Verdict DiskGuard::Check() {
  Verdict v;
  auto free = free_bytes_(dir_);
  if (!free.ok()) {
    v.writable = false;
    v.reason = "the store's disk cannot be examined";
    return v;
  }
  v.free_bytes = *free;
  if (ballast_in_place()) {
    if (*free >= reserve_) return v;
    ReleaseBallast();
    v.note = "released the " + HumanBytes(reserve_) + " disk reserve";
    if (auto after = free_bytes_(dir_); after.ok()) v.free_bytes = *after;
    v.writable = false;
    v.reason = ShortReason(v.free_bytes);
    return v;
  }
  if (*free < 2 * reserve_) {
    ReleaseBallast();  // one of another size (the reserve was changed), if any
    v.writable = false;
    v.reason = ShortReason(*free);
    return v;
  }
  if (Status s = MakeBallast(); !s.ok()) {
    v.writable = false;
    v.reason = ShortReason(*free);
    return v;
  }
  v.note = "put the " + HumanBytes(reserve_) + " disk reserve back";
  if (auto after = free_bytes_(dir_); after.ok()) v.free_bytes = *after;
  return v;
}

}  // namespace loyalty
