// DiskGuard: keeps the store from filling its disk to the last byte, so that
// loyaltyd can always restart, log and answer lookups.
//
// A reserve R (StoreOptions::disk_reserve_bytes) is kept two ways:
//   - a ballast file of R bytes, "disk-reserve" in the store's directory,
//     allocated (fallocate) so that other programs cannot take that room;
//   - writes are refused while less than R is free beside it.
// The rule: the store takes writes only while the ballast is in place and at
// least R is free. When free space drops below R, the ballast is released at
// once (deleted): RocksDB gets room to finish flushes, to recover, and to be
// reopened after a crash (Store::Open releases it too when it finds the disk
// short). Writes resume only when 2R is free, because the ballast is put
// back first and R must still be free after it (no flapping at the edge).
//
// A store started on a disk with less than 2R free therefore refuses writes
// until space is freed; the reason says how much is free and how much is
// needed.
//
// Thread safety: one thread at a time (the store's disk check, or Open).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "engine/status.h"

namespace loyalty {

class DiskGuard {
 public:
  // Free bytes for an unprivileged writer on the filesystem holding `dir`.
  using FreeBytesFn = std::function<Result<uint64_t>(const std::string& dir)>;
  static Result<uint64_t> StatFreeBytes(const std::string& dir);
  static constexpr const char* kBallastName = "disk-reserve";
  // Without a reserve, writes are still refused below this much free space.
  static constexpr uint64_t kNoReserveFreeMinBytes = 1 << 20;

  DiskGuard(std::string dir, uint64_t reserve_bytes, FreeBytesFn free_bytes = StatFreeBytes);

  struct Verdict {
    bool writable = true;
    std::string reason;  // when not writable: for anyone, no path
    uint64_t free_bytes = 0;
    std::string note;  // what the guard did (released or restored the ballast), or ""
  };
  // Before the database opens: releases the ballast if less than R is free.
  Verdict BeforeOpen();
  // One look at the disk; releases or restores the ballast as the rule says.
  Verdict Check();

  uint64_t reserve_bytes() const { return reserve_; }
  bool ballast_in_place() const;

 private:
  std::string BallastPath() const;
  bool ReleaseBallast();  // false when there was none
  Status MakeBallast();
  std::string ShortReason(uint64_t free_bytes) const;

  std::string dir_;
  uint64_t reserve_;
  FreeBytesFn free_bytes_;
};

// "12.3 MiB": byte counts as people read them.
std::string HumanBytes(uint64_t bytes);

}  // namespace loyalty
