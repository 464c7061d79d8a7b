// The outbox's records in the meta family (store.h "The outbox", key_codec.h).
#include <rocksdb/db.h>

#include <charconv>

#include "adapters/rocksdb/key_codec.h"
#include "adapters/rocksdb/store.h"
#include "adapters/rocksdb/store_internal.h"

namespace loyalty {
namespace {

using store_internal::AsSlice;
using store_internal::FromRocks;

uint64_t SeqOf(std::string_view key, std::string_view prefix) {
  uint64_t seq = 0;
  key.remove_prefix(prefix.size());
  std::from_chars(key.data(), key.data() + key.size(), seq);
  return seq;
}

// A dead letter's value: "tries at_ms error\n" then the event.
std::string EncodeDead(const Store::DeadLetter& d) {
  std::string error = d.error;
  for (char& c : error) c = c == '\n' ? ' ' : c;
  return std::to_string(d.tries) + " " + std::to_string(d.at_ms) + " " + error + "\n" +
         d.event_json;
}

Store::DeadLetter DecodeDead(uint64_t seq, std::string_view v) {
  Store::DeadLetter d;
  d.seq = seq;
  const std::size_t nl = v.find('\n');
  std::string_view head = v.substr(0, nl);
  d.event_json = nl == std::string_view::npos ? "" : std::string(v.substr(nl + 1));
  const std::size_t a = head.find(' ');
  const std::size_t b = head.find(' ', a + 1);
  std::from_chars(head.data(), head.data() + a, d.tries);
  std::from_chars(head.data() + a + 1, head.data() + b, d.at_ms);
  d.error = b == std::string_view::npos ? "" : std::string(head.substr(b + 1));
  return d;
}

}  // namespace

Status Store::OpenOutbox() {
  uint64_t last = 0;
  for (const char* prefix : {store_keys::kOutboxPrefix, store_keys::kDeadLetterPrefix}) {
    Status s = ForEachMeta(prefix, true, [&](std::string_view key, std::string_view) {
      last = std::max(last, SeqOf(key, prefix));
      return false;
    });
    if (!s.ok()) return s;
  }
  handles_->outbox_seq.store(last);
  return Status::Ok();
}

uint64_t Store::outbox_last_seq() const { return handles_->outbox_seq.load(); }

uint64_t Store::outbox_readable_seq() const {
  std::lock_guard lock(handles_->outbox_mu);
  return handles_->outbox_in_flight.empty() ? handles_->outbox_seq.load()
                                            : *handles_->outbox_in_flight.begin() - 1;
}

Result<std::vector<Store::OutboxItem>> Store::ReadOutbox(uint64_t after, std::size_t max) const {
  const uint64_t through = outbox_readable_seq();
  std::vector<OutboxItem> items;
  if (through <= after) return items;
  // From `after` on: the acknowledged events before it are tombstones a scan
  // from the start would step over one by one.
  const std::string upper = store_keys::OutboxKey(through + 1);
  const rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions options;
  options.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, handles_->meta));
  for (it->Seek(store_keys::OutboxKey(after + 1)); it->Valid() && items.size() < max; it->Next()) {
    const std::string_view key(it->key().data(), it->key().size());
    items.push_back({SeqOf(key, store_keys::kOutboxPrefix), it->value().ToString()});
  }
  if (Status s = FromRocks(it->status(), "read the outbox"); !s.ok()) return s;
  return items;
}

Status Store::AckOutbox(const std::vector<uint64_t>& seqs) {
  rocksdb::WriteBatch batch;
  for (uint64_t seq : seqs) {
    if (auto s = batch.Delete(handles_->meta, store_keys::OutboxKey(seq)); !s.ok()) {
      return FromRocks(s, "stage outbox acknowledgement");
    }
  }
  // Not synced: an acknowledgement lost in a crash only delivers again.
  return FromRocks(db_->Write(rocksdb::WriteOptions(), &batch), "acknowledge outbox events");
}

Status Store::DeadLetterOutbox(const std::vector<OutboxItem>& items, const std::string& error,
                               uint32_t tries, int64_t at_ms) {
  rocksdb::WriteBatch batch;
  for (const OutboxItem& item : items) {
    const std::string dead = EncodeDead({item.seq, item.event_json, error, tries, at_ms});
    if (auto s = batch.Put(handles_->meta, store_keys::DeadLetterKey(item.seq), dead); !s.ok()) {
      return FromRocks(s, "stage dead letter");
    }
    if (auto s = batch.Delete(handles_->meta, store_keys::OutboxKey(item.seq)); !s.ok()) {
      return FromRocks(s, "stage dead letter");
    }
  }
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  return FromRocks(db_->Write(wo, &batch), "move outbox events to the dead letters");
}

Result<std::vector<Store::DeadLetter>> Store::ReadDeadLetters(std::size_t max) const {
  std::vector<DeadLetter> dead;
  Status s = ForEachMeta(
      store_keys::kDeadLetterPrefix, false, [&](std::string_view key, std::string_view value) {
        dead.push_back(DecodeDead(SeqOf(key, store_keys::kDeadLetterPrefix), value));
        return dead.size() < max;
      });
  if (!s.ok()) return s;
  return dead;
}

Result<std::size_t> Store::RedeliverDeadLetters() {
  auto dead = ReadDeadLetters(SIZE_MAX);
  if (!dead.ok()) return dead.status();
  // Under the outbox's lock from the first sequence given to the write, so a
  // reader never sees the new sequences before their events are there.
  std::lock_guard lock(handles_->outbox_mu);
  rocksdb::WriteBatch batch;
  uint64_t seq = handles_->outbox_seq.load();
  for (const DeadLetter& d : *dead) {
    if (auto s = batch.Put(handles_->meta, store_keys::OutboxKey(++seq), AsSlice(d.event_json));
        !s.ok()) {
      return FromRocks(s, "stage redelivery");
    }
    if (auto s = batch.Delete(handles_->meta, store_keys::DeadLetterKey(d.seq)); !s.ok()) {
      return FromRocks(s, "stage redelivery");
    }
  }
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  if (Status s = FromRocks(db_->Write(wo, &batch), "redeliver dead letters"); !s.ok()) return s;
  handles_->outbox_seq.store(seq);
  return dead->size();
}

}  // namespace loyalty
