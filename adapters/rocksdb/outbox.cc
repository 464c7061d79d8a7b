// The outbox's records in the meta family (store.h "The outbox", key_codec.h).
#include "engine/outbox.h"

#include <rocksdb/db.h>

#include <algorithm>
#include <charconv>

#include "adapters/rocksdb/key_codec.h"
#include "adapters/rocksdb/store.h"
#include "adapters/rocksdb/store_internal.h"

namespace loyalty {
namespace {

using store_internal::AsSlice;
using store_internal::AsView;
using store_internal::FromRocks;

uint64_t SeqOf(std::string_view key, std::string_view prefix) {
  uint64_t seq = 0;
  key.remove_prefix(prefix.size());
  std::from_chars(key.data(), key.data() + key.size(), seq);
  return seq;
}

constexpr char kRecordSeparator = '\x1e';

// The events of a record's value in order (key_codec.h): a JSON text
// sequence, or one event's JSON alone (a record from before records held a
// batch each). No 0x1E is ever inside an event: JSON escapes it in strings
// and allows it nowhere else.
template <typename Visit>
void ForEachEvent(std::string_view record, Visit&& visit) {
  if (record.empty()) return;
  if (record.front() != kRecordSeparator) {
    visit(record);
    return;
  }
  std::size_t at = 0;
  while (at < record.size()) {
    std::size_t next = record.find(kRecordSeparator, at + 1);
    if (next == std::string_view::npos) next = record.size();
    std::string_view event = record.substr(at + 1, next - at - 1);
    if (!event.empty() && event.back() == '\n') event.remove_suffix(1);
    if (!event.empty()) visit(event);
    at = next;
  }
}

// A dead letter's value: "tries at_ms error\n" then its record's value.
std::string EncodeDead(const std::string& record, const std::string& error, uint32_t tries,
                       int64_t at_ms) {
  std::string head = error;
  for (char& c : head) c = c == '\n' ? ' ' : c;
  return std::to_string(tries) + " " + std::to_string(at_ms) + " " + head + "\n" + record;
}

// The record's value of a dead letter's value, and the letter without its
// event.
std::string_view DecodeDead(uint64_t seq, std::string_view v, Store::DeadLetter& d) {
  d.seq = seq;
  const std::size_t nl = v.find('\n');
  std::string_view head = v.substr(0, nl);
  const std::size_t a = head.find(' ');
  const std::size_t b = head.find(' ', a + 1);
  std::from_chars(head.data(), head.data() + a, d.tries);
  std::from_chars(head.data() + a + 1, head.data() + b, d.at_ms);
  d.error = b == std::string_view::npos ? "" : std::string(head.substr(b + 1));
  return nl == std::string_view::npos ? std::string_view() : v.substr(nl + 1);
}

}  // namespace

namespace store_internal {

void AppendOutboxEvent(std::string& record, std::string_view event_json) {
  record.reserve(record.size() + event_json.size() + 2);
  record += kRecordSeparator;
  record += event_json;
  record += '\n';
}

}  // namespace store_internal

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
  // From `after` on: the acknowledged records before it are tombstones a
  // scan from the start would step over one by one.
  const std::string upper = store_keys::OutboxKey(through + 1);
  const rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions options;
  options.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, handles_->meta));
  for (it->Seek(store_keys::OutboxKey(after + 1)); it->Valid() && items.size() < max; it->Next()) {
    const uint64_t seq = SeqOf(AsView(it->key()), store_keys::kOutboxPrefix);
    const std::string_view record = AsView(it->value());
    std::size_t events = 0;
    ForEachEvent(record, [&](std::string_view) { ++events; });
    if (!items.empty() && items.size() + events > max) break;  // records go whole
    ForEachEvent(record, [&](std::string_view e) { items.push_back({seq, std::string(e)}); });
  }
  if (Status s = FromRocks(it->status(), "read the outbox"); !s.ok()) return s;
  return items;
}

Status Store::AckOutbox(const std::vector<uint64_t>& seqs) {
  rocksdb::WriteBatch batch;
  for (std::size_t i = 0; i < seqs.size(); ++i) {
    if (i > 0 && seqs[i] == seqs[i - 1]) continue;  // one record's events
    if (auto s = batch.Delete(handles_->meta, store_keys::OutboxKey(seqs[i])); !s.ok()) {
      return FromRocks(s, "stage outbox acknowledgement");
    }
  }
  // Not synced: an acknowledgement lost in a crash only delivers again.
  return FromRocks(db_->Write(rocksdb::WriteOptions(), &batch), "acknowledge outbox events");
}

Status Store::DeadLetterOutbox(const std::vector<uint64_t>& seqs, const std::string& error,
                               uint32_t tries, int64_t at_ms) {
  // Each record as it is now: an erasure since it was read took the erased
  // customer's events out of it (or all of it: nothing to move).
  std::lock_guard erasing(handles_->outbox_erasure_mu);
  rocksdb::WriteBatch batch;
  for (std::size_t i = 0; i < seqs.size(); ++i) {
    if (i > 0 && seqs[i] == seqs[i - 1]) continue;  // one record's events
    const uint64_t seq = seqs[i];
    auto record = Get(handles_->meta, store_keys::OutboxKey(seq));
    if (!record.ok()) return record.status();
    if (!record->has_value()) continue;  // acknowledged, or erased whole
    const std::string dead = EncodeDead(**record, error, tries, at_ms);
    if (auto s = batch.Put(handles_->meta, store_keys::DeadLetterKey(seq), dead); !s.ok()) {
      return FromRocks(s, "stage dead letter");
    }
    if (auto s = batch.Delete(handles_->meta, store_keys::OutboxKey(seq)); !s.ok()) {
      return FromRocks(s, "stage dead letter");
    }
  }
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  return FromRocks(db_->Write(wo, &batch), "move outbox events to the dead letters");
}

Result<std::vector<Store::DeadLetter>> Store::ReadDeadLetters(std::size_t max) const {
  std::vector<DeadLetter> dead;
  Status s = ForEachMeta(store_keys::kDeadLetterPrefix, false,
                         [&](std::string_view key, std::string_view value) {
                           DeadLetter letter;
                           const std::string_view record =
                               DecodeDead(SeqOf(key, store_keys::kDeadLetterPrefix), value, letter);
                           ForEachEvent(record, [&](std::string_view e) {
                             if (dead.size() >= max) return;
                             dead.push_back(letter);
                             dead.back().event_json = std::string(e);
                           });
                           return dead.size() < max;
                         });
  if (!s.ok()) return s;
  return dead;
}

// An erasure's part here (StageErasure, in the erasure's batch). The events
// that name the customer and are not yet delivered, or were given up on,
// carry their card numbers and more: a dead letter would keep them for as
// long as nobody redelivers it. They are dropped, the other customers'
// events of the same records kept; the customer.erased event this batch
// stages tells the sinks to erase their own copies. A record the dispatcher
// read before this commit and gives up on after it becomes a dead letter as
// this commit left it (DeadLetterOutbox, outbox_erasure_mu).
Status Store::StageOutboxErasure(const std::vector<std::string>& ids,
                                 rocksdb::WriteBatch& batch) const {
  std::vector<std::string> subjects;  // as CloudEventJson writes them
  for (const std::string& id : ids) subjects.push_back("\"subject\":" + JsonQuoted(id));
  // The record without the customers' events; false when it had none.
  auto without = [&](std::string_view record, std::string& kept) {
    bool dropped = false;
    ForEachEvent(record, [&](std::string_view e) {
      if (std::any_of(subjects.begin(), subjects.end(), [&](const std::string& subject) {
            return e.find(subject) != std::string_view::npos;
          })) {
        dropped = true;
      } else {
        store_internal::AppendOutboxEvent(kept, e);
      }
    });
    return dropped;
  };
  Status failed = Status::Ok();
  auto stage = [&](rocksdb::Status s) {
    if (!s.ok() && failed.ok()) failed = FromRocks(s, "stage the erasure of outbox events");
  };
  Status read = ForEachMeta(store_keys::kOutboxPrefix, false,
                            [&](std::string_view key, std::string_view value) {
                              std::string kept;
                              if (!without(value, kept)) return true;
                              stage(kept.empty() ? batch.Delete(handles_->meta, AsSlice(key))
                                                 : batch.Put(handles_->meta, AsSlice(key), kept));
                              return true;
                            });
  if (!read.ok()) return read;
  read = ForEachMeta(
      store_keys::kDeadLetterPrefix, false, [&](std::string_view key, std::string_view value) {
        DeadLetter letter;
        std::string kept;
        if (!without(DecodeDead(0, value, letter), kept)) return true;
        stage(kept.empty() ? batch.Delete(handles_->meta, AsSlice(key))
                           : batch.Put(handles_->meta, AsSlice(key),
                                       EncodeDead(kept, letter.error, letter.tries, letter.at_ms)));
        return true;
      });
  if (!read.ok()) return read;
  return failed;
}

Result<std::size_t> Store::RedeliverDeadLetters() {
  std::vector<std::pair<std::string, std::string>> dead;  // key, record
  std::size_t events = 0;
  Status read = ForEachMeta(store_keys::kDeadLetterPrefix, false,
                            [&](std::string_view key, std::string_view value) {
                              DeadLetter letter;
                              const std::string_view record = DecodeDead(0, value, letter);
                              ForEachEvent(record, [&](std::string_view) { ++events; });
                              dead.emplace_back(key, record);
                              return true;
                            });
  if (!read.ok()) return read;
  // Under the outbox's lock from the first sequence given to the write, so a
  // reader never sees the new sequences before their records are there.
  std::lock_guard lock(handles_->outbox_mu);
  rocksdb::WriteBatch batch;
  uint64_t seq = handles_->outbox_seq.load();
  for (const auto& [key, record] : dead) {
    if (auto s = batch.Put(handles_->meta, store_keys::OutboxKey(++seq), AsSlice(record));
        !s.ok()) {
      return FromRocks(s, "stage redelivery");
    }
    if (auto s = batch.Delete(handles_->meta, AsSlice(key)); !s.ok()) {
      return FromRocks(s, "stage redelivery");
    }
  }
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  if (Status s = FromRocks(db_->Write(wo, &batch), "redeliver dead letters"); !s.ok()) return s;
  handles_->outbox_seq.store(seq);
  return events;
}

}  // namespace loyalty
