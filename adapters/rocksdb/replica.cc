#include "adapters/rocksdb/replica.h"

#include <rocksdb/db.h>
#include <rocksdb/transaction_log.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <charconv>
#include <filesystem>

#include "adapters/rocksdb/key_codec.h"
#include "adapters/rocksdb/store_internal.h"

namespace loyalty {

namespace fs = std::filesystem;
using store_internal::FromRocks;

std::string EncodeTenures(const std::vector<Tenure>& tenures) {
  std::string text;
  for (const Tenure& t : tenures) {
    text += std::to_string(t.epoch) + " " + std::to_string(t.first_seq) + "\n";
  }
  return text;
}

Result<std::vector<Tenure>> DecodeTenures(std::string_view text) {
  std::vector<Tenure> out;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    Tenure t;
    const size_t space = line.find(' ');
    const auto a = std::from_chars(line.data(), line.data() + space, t.epoch);
    const auto b = std::from_chars(line.data() + space + 1, line.data() + line.size(), t.first_seq);
    if (space == std::string_view::npos || a.ec != std::errc() || b.ec != std::errc() ||
        b.ptr != line.data() + line.size() || (!out.empty() && t.epoch <= out.back().epoch)) {
      return Status::Corruption("replication tenures: line '" + std::string(line) +
                                "' is not 'epoch first_seq' with a growing epoch");
    }
    out.push_back(t);
  }
  return out;
}

uint64_t EpochAt(const std::vector<Tenure>& tenures, uint64_t seq) {
  uint64_t epoch = 0;
  for (const Tenure& t : tenures) {
    if (t.first_seq > seq) break;
    epoch = t.epoch;
  }
  return epoch;
}

bool IsPrefixOf(const std::vector<Tenure>& theirs, uint64_t their_seq,
                const std::vector<Tenure>& ours, uint64_t our_seq) {
  if (their_seq > our_seq) return false;
  // Every tenure boundary at or below their_seq must be the same in both.
  auto below = [&](const std::vector<Tenure>& ts) {
    std::vector<Tenure> out;
    for (const Tenure& t : ts)
      if (t.first_seq <= their_seq) out.push_back(t);
    return out;
  };
  return below(theirs) == below(ours);
}

ReplicaDb::ReplicaDb(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* meta, bool owned)
    : db_(db), meta_(meta), owned_(owned) {}

ReplicaDb::~ReplicaDb() {
  if (!owned_) return;
  for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
  (void)db_->Close();
  delete db_;
}

Result<std::unique_ptr<ReplicaDb>> ReplicaDb::Open(const std::string& path,
                                                   uint64_t wal_keep_seconds) {
  rocksdb::Options options;
  options.create_if_missing = false;
  options.WAL_ttl_seconds = wal_keep_seconds;
  options.manifest_preallocation_size = 64 << 10;
  std::vector<std::string> names;
  if (rocksdb::Status s = rocksdb::DB::ListColumnFamilies(options, path, &names); !s.ok()) {
    return FromRocks(s, "open the replica at " + path);
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (const std::string& n : names) cfs.emplace_back(n, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> hs;
  rocksdb::DB* raw = nullptr;
  if (rocksdb::Status s = rocksdb::DB::Open(options, path, cfs, &hs, &raw); !s.ok()) {
    return FromRocks(s, "open the replica at " + path);
  }
  rocksdb::ColumnFamilyHandle* meta = nullptr;
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == store_keys::kMeta) meta = hs[i];
  std::unique_ptr<ReplicaDb> db(new ReplicaDb(raw, meta, true));
  db->handles_ = std::move(hs);
  if (meta == nullptr) {
    return Status::Corruption("the replica at " + path + " has no '" + store_keys::kMeta +
                              "' column family: not a loyalty store");
  }
  return db;
}

std::unique_ptr<ReplicaDb> ReplicaDb::Of(Store& store) {
  return std::unique_ptr<ReplicaDb>(new ReplicaDb(store.db_.get(), store.handles_->meta, false));
}

uint64_t ReplicaDb::LatestSeq() const { return db_->GetLatestSequenceNumber(); }

struct LogCursor::Impl {
  std::unique_ptr<rocksdb::TransactionLogIterator> it;
  uint64_t next = 0;  // the sequence number the iterator stands before
};
LogCursor::LogCursor() : impl(std::make_unique<Impl>()) {}
LogCursor::~LogCursor() = default;

Status ReplicaDb::ReadSince(uint64_t after_seq, size_t max_bytes, std::vector<LoggedBatch>* out,
                            LogCursor* cursor) const {
  if (after_seq >= LatestSeq()) return Status::Ok();
  LogCursor scratch;
  LogCursor::Impl& c = cursor != nullptr ? *cursor->impl : *scratch.impl;
  if (c.it && c.next == after_seq + 1) {
    // At the tail last time: RocksDB reads on in the same file; a new file
    // (or a record not whole yet) asks for a new iterator.
    if (!c.it->Valid()) c.it->Next();
    if (!c.it->Valid()) c.it.reset();
  } else {
    c.it.reset();
  }
  if (!c.it) {
    rocksdb::Status s = db_->GetUpdatesSince(after_seq + 1, &c.it);
    if (!s.ok()) {
      c.it.reset();
      return Status::NotFound("the log no longer holds batch " + std::to_string(after_seq + 1) +
                              ": " + s.ToString());
    }
  }
  size_t bytes = 0;
  uint64_t next = after_seq + 1;
  for (; c.it->Valid() && bytes < max_bytes; c.it->Next()) {
    rocksdb::BatchResult r = c.it->GetBatch();
    LoggedBatch b;
    b.seq = r.sequence;
    b.count = static_cast<uint64_t>(r.writeBatchPtr->Count());
    if (b.last_seq() < next) continue;  // began before the one asked for
    if (b.seq != next) {
      // A gap: the log was trimmed under us, or the batch asked for is the
      // middle of one (a peer that is not a prefix of this node).
      c.it.reset();
      return Status::NotFound("the log has batch " + std::to_string(b.seq) + " where " +
                              std::to_string(next) + " was expected");
    }
    b.data = r.writeBatchPtr->Data();
    bytes += b.data.size();
    next = b.last_seq() + 1;
    out->push_back(std::move(b));
  }
  c.next = next;
  if (const rocksdb::Status st = c.it->status(); !st.ok()) {
    c.it.reset();  // a new iterator next time
    // TryAgain: the tail moved to a new file, or a record is not whole yet.
    if (!st.IsTryAgain() && out->empty()) return FromRocks(st, "read the log");
  }
  return Status::Ok();
}

Status ReplicaDb::Apply(const std::vector<LoggedBatch>& batches) {
  for (size_t i = 0; i < batches.size(); ++i) {
    const LoggedBatch& b = batches[i];
    const uint64_t expected = LatestSeq() + 1;
    if (b.seq != expected) {
      return Status::Corruption("replica: batch " + std::to_string(b.seq) +
                                " does not follow this copy's last (" +
                                std::to_string(expected - 1) + ")");
    }
    rocksdb::WriteBatch batch(b.data);
    rocksdb::WriteOptions wo;
    wo.sync = i + 1 == batches.size();  // one fsync covers the ones before
    if (Status s = FromRocks(db_->Write(wo, &batch), "apply a replicated batch"); !s.ok()) {
      return s;
    }
  }
  return Status::Ok();
}

Result<std::vector<Tenure>> ReplicaDb::Tenures() const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), meta_, store_keys::kTenuresKey, &value);
  if (s.IsNotFound()) return std::vector<Tenure>{};
  if (!s.ok()) return FromRocks(s, "read the replication tenures");
  return DecodeTenures(value);
}

Status ReplicaDb::BeginTenure(uint64_t epoch, uint64_t first_seq) {
  auto tenures = Tenures();
  if (!tenures.ok()) return tenures.status();
  if (!tenures->empty() && tenures->back().epoch >= epoch) {
    return Status::Invalid("epoch " + std::to_string(epoch) + " is not above the last tenure's " +
                           std::to_string(tenures->back().epoch));
  }
  tenures->push_back({epoch, first_seq == 0 ? LatestSeq() + 1 : first_seq});
  rocksdb::WriteOptions wo;
  wo.sync = true;
  return FromRocks(db_->Put(wo, meta_, store_keys::kTenuresKey, EncodeTenures(*tenures)),
                   "write the replication tenures");
}

Status ReplicaDb::Checkpoint(const std::string& dir) const {
  rocksdb::Checkpoint* raw = nullptr;
  if (Status s = FromRocks(rocksdb::Checkpoint::Create(db_, &raw), "make a checkpoint"); !s.ok()) {
    return s;
  }
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  return FromRocks(checkpoint->CreateCheckpoint(dir), "make a checkpoint in " + dir);
}

Status InstallCheckpoint(const std::string& incoming_dir, const std::string& data_dir) {
  std::error_code ec;
  fs::create_directories(data_dir, ec);
  if (ec) return Status::IoError("install a checkpoint: " + data_dir + ": " + ec.message());
  // CURRENT first: without it the directory is no database.
  fs::remove(fs::path(data_dir) / "CURRENT", ec);
  for (const auto& entry : fs::directory_iterator(data_dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_directory() && name != "archive") continue;  // backups kept
    fs::remove_all(entry.path(), ec);
    if (ec) return Status::IoError("install a checkpoint: remove " + name + ": " + ec.message());
  }
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(incoming_dir, ec)) files.push_back(entry.path());
  if (ec) return Status::IoError("install a checkpoint: " + incoming_dir + ": " + ec.message());
  std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
    return (a.filename() == "CURRENT") < (b.filename() == "CURRENT");  // CURRENT last
  });
  for (const fs::path& f : files) {
    fs::rename(f, fs::path(data_dir) / f.filename(), ec);
    if (ec)
      return Status::IoError("install a checkpoint: move " + f.string() + ": " + ec.message());
  }
  fs::remove_all(incoming_dir, ec);
  return Status::Ok();
}

}  // namespace loyalty
