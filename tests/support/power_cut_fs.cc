#include "tests/support/power_cut_fs.h"

#include <unistd.h>

namespace loyalty::testing {
namespace {

using rocksdb::IODebugContext;
using rocksdb::IOOptions;
using rocksdb::IOStatus;
using rocksdb::Slice;

IOStatus PowerIsOff() { return IOStatus::IOError("power cut (PowerCutFs)"); }

class CutFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  CutFile(std::unique_ptr<rocksdb::FSWritableFile> file, PowerCutFs* fs, std::string name)
      : FSWritableFileOwnerWrapper(std::move(file)), fs_(fs), name_(std::move(name)) {}

  IOStatus Append(const Slice& data, const IOOptions& options, IODebugContext* dbg) override {
    if (fs_->cut()) return PowerIsOff();
    IOStatus s = target()->Append(data, options, dbg);
    if (s.ok()) fs_->Wrote(name_, data.size());
    return s;
  }
  IOStatus Append(const Slice& data, const IOOptions& options,
                  const rocksdb::DataVerificationInfo& info, IODebugContext* dbg) override {
    if (fs_->cut()) return PowerIsOff();
    IOStatus s = target()->Append(data, options, info, dbg);
    if (s.ok()) fs_->Wrote(name_, data.size());
    return s;
  }
  IOStatus PositionedAppend(const Slice&, uint64_t, const IOOptions&, IODebugContext*) override {
    return IOStatus::NotSupported("PowerCutFs: positioned appends");
  }
  IOStatus PositionedAppend(const Slice&, uint64_t, const IOOptions&,
                            const rocksdb::DataVerificationInfo&, IODebugContext*) override {
    return IOStatus::NotSupported("PowerCutFs: positioned appends");
  }
  IOStatus Truncate(uint64_t, const IOOptions&, IODebugContext*) override {
    return IOStatus::NotSupported("PowerCutFs: truncate");
  }
  IOStatus Sync(const IOOptions& options, IODebugContext* dbg) override {
    if (fs_->cut()) return PowerIsOff();
    IOStatus s = target()->Sync(options, dbg);
    if (s.ok()) fs_->Synced(name_);
    return s;
  }
  IOStatus Fsync(const IOOptions& options, IODebugContext* dbg) override {
    if (fs_->cut()) return PowerIsOff();
    IOStatus s = target()->Fsync(options, dbg);
    if (s.ok()) fs_->Synced(name_);
    return s;
  }
  IOStatus RangeSync(uint64_t, uint64_t, const IOOptions&, IODebugContext*) override {
    return IOStatus::OK();  // a hint: makes nothing durable here
  }
  IOStatus Close(const IOOptions& options, IODebugContext* dbg) override {
    // Closing makes nothing durable; after the cut it writes nothing more.
    return fs_->cut() ? PowerIsOff() : target()->Close(options, dbg);
  }

 private:
  PowerCutFs* fs_;
  std::string name_;
};

}  // namespace

IOStatus PowerCutFs::Track(const std::string& name, uint64_t already,
                           std::unique_ptr<rocksdb::FSWritableFile>* result) {
  {
    std::lock_guard lock(mu_);
    files_[name] = Length{already, already};
  }
  *result = std::make_unique<CutFile>(std::move(*result), this, name);
  return IOStatus::OK();
}

IOStatus PowerCutFs::NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                     std::unique_ptr<rocksdb::FSWritableFile>* result,
                                     IODebugContext* dbg) {
  if (cut_) return PowerIsOff();
  IOStatus s = target()->NewWritableFile(name, options, result, dbg);
  return s.ok() ? Track(name, 0, result) : s;
}

IOStatus PowerCutFs::ReopenWritableFile(const std::string& name,
                                        const rocksdb::FileOptions& options,
                                        std::unique_ptr<rocksdb::FSWritableFile>* result,
                                        IODebugContext* dbg) {
  if (cut_) return PowerIsOff();
  uint64_t size = 0;
  if (!target()->GetFileSize(name, IOOptions(), &size, dbg).ok()) size = 0;
  IOStatus s = target()->ReopenWritableFile(name, options, result, dbg);
  return s.ok() ? Track(name, size, result) : s;  // what was there before counts as synced
}

IOStatus PowerCutFs::ReuseWritableFile(const std::string& name, const std::string& old_name,
                                       const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* result,
                                       IODebugContext* dbg) {
  if (cut_) return PowerIsOff();
  IOStatus s = target()->ReuseWritableFile(name, old_name, options, result, dbg);
  return s.ok() ? Track(name, 0, result) : s;
}

IOStatus PowerCutFs::RenameFile(const std::string& from, const std::string& to,
                                const IOOptions& options, IODebugContext* dbg) {
  if (cut_) return PowerIsOff();
  IOStatus s = target()->RenameFile(from, to, options, dbg);
  if (s.ok()) {
    std::lock_guard lock(mu_);
    if (auto it = files_.find(from); it != files_.end()) {
      files_[to] = it->second;
      files_.erase(it);
    }
  }
  return s;
}

IOStatus PowerCutFs::DeleteFile(const std::string& name, const IOOptions& options,
                                IODebugContext* dbg) {
  if (cut_) return PowerIsOff();
  IOStatus s = target()->DeleteFile(name, options, dbg);
  if (s.ok()) {
    std::lock_guard lock(mu_);
    files_.erase(name);
  }
  return s;
}

void PowerCutFs::Wrote(const std::string& name, uint64_t bytes) {
  std::lock_guard lock(mu_);
  files_[name].written += bytes;
}

void PowerCutFs::Synced(const std::string& name) {
  std::lock_guard lock(mu_);
  Length& l = files_[name];
  l.synced = l.written;
}

uint64_t PowerCutFs::DropUnsynced() {
  std::lock_guard lock(mu_);
  uint64_t dropped = 0;
  for (const auto& [name, length] : files_) {
    if (length.written == length.synced) continue;
    uint64_t size = 0;
    if (!target()->GetFileSize(name, IOOptions(), &size, nullptr).ok()) continue;
    if (size <= length.synced) continue;
    if (::truncate(name.c_str(), static_cast<off_t>(length.synced)) == 0) {
      dropped += size - length.synced;
    }
  }
  files_.clear();
  return dropped;
}

}  // namespace loyalty::testing
