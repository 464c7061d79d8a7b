// PowerCutFs: a RocksDB FileSystem that can lose everything not yet synced,
// as a machine does when its power is cut (RocksDB's own fault-injection
// idea, written against the public FileSystemWrapper API of 7.8).
//
// It remembers, for every file opened for writing, how many bytes were
// written and how many of them a Sync/Fsync made durable. Cut() is the
// moment the power goes: from then on every write, sync, create, rename and
// delete fails, so nothing more is acknowledged. After the store is closed,
// DropUnsynced() truncates each file to what was synced, as the disk would
// show it after a reboot. Not modelled: a rename or a new file whose
// directory was never synced (RocksDB syncs the directory after both).
//
// Thread safety: any thread.
#pragma once

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace loyalty::testing {

class PowerCutFs final : public rocksdb::FileSystemWrapper {
 public:
  PowerCutFs() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "PowerCutFs"; }

  void Cut() { cut_ = true; }
  bool cut() const { return cut_; }
  // Truncates every written file to its synced length; how many bytes went.
  uint64_t DropUnsynced();

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReopenWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* result,
                                       rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReuseWritableFile(const std::string& name, const std::string& old_name,
                                      const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSWritableFile>* result,
                                      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus RenameFile(const std::string& from, const std::string& to,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteFile(const std::string& name, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;

  // Called by the files it hands out.
  void Wrote(const std::string& name, uint64_t bytes);
  void Synced(const std::string& name);

 private:
  struct Length {
    uint64_t written = 0, synced = 0;
  };
  rocksdb::IOStatus Track(const std::string& name, uint64_t already,
                          std::unique_ptr<rocksdb::FSWritableFile>* result);

  std::atomic<bool> cut_{false};
  std::mutex mu_;
  std::map<std::string, Length> files_;
};

}  // namespace loyalty::testing
