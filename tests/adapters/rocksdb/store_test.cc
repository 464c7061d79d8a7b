#include "adapters/rocksdb/store.h"

#include <gtest/gtest.h>

#include "adapters/rocksdb/audit.h"
#include "adapters/rocksdb/key_codec.h"
#include "adapters/rocksdb/store_internal.h"
#include "tests/support/events.h"
#include "tests/support/full_profile.h"
#include "tests/support/temp_dir.h"
#include "tests/support/world.h"

namespace loyalty {
namespace {

using testing::kT0;
using testing::L;

TEST(KeyCodecTest, LedgerKeysRoundTripAndSortByCustomerThenSequence) {
  for (uint64_t seq : {0ULL, 1ULL, 255ULL, 256ULL, 0xffffffffffffffffULL}) {
    auto parts = store_keys::ParseLedgerKey(store_keys::LedgerKey("cust-1", seq));
    ASSERT_TRUE(parts.ok());
    EXPECT_EQ(parts->customer_id, "cust-1");
    EXPECT_EQ(parts->seq, seq);
  }
  EXPECT_LT(store_keys::LedgerKey("a", 2), store_keys::LedgerKey("a", 256));
  EXPECT_LT(store_keys::LedgerKey("a", 0xffffffff), store_keys::LedgerKey("b", 0));
  // "ab" never interleaves with "a": the length prefix keeps customers apart.
  EXPECT_NE(store_keys::LedgerKey("ab", 1).substr(0, 3), store_keys::LedgerPrefix("a"));
}

TEST(KeyCodecTest, TheLedgersInsertHintIsTheCustomerPart) {
  const auto hint = LedgerCustomerTransform();
  const std::string key = store_keys::LedgerKey("cust-1", 7);
  ASSERT_TRUE(hint->InDomain(key));
  EXPECT_EQ(hint->Transform(key).ToString(), store_keys::LedgerPrefix("cust-1"));
  EXPECT_EQ(hint->Transform(store_keys::LedgerKey("cust-1", 8)).ToString(),
            hint->Transform(key).ToString());
  EXPECT_FALSE(hint->InDomain(""));
  EXPECT_FALSE(hint->InDomain(store_keys::LedgerPrefix("cust-1").substr(0, 3)));  // cut short
}

// Inserts with hints (a customer's states and ledger entries, interleaved
// with other customers' over many commits) read back whole and in order,
// from the memtable and again after reopening.
TEST(StoreTest, InterleavedCustomersLedgersReadBackInOrder) {
  testing::TempDir dir;
  constexpr int kCustomers = 40, kCommits = 25;
  const auto check = [&](Store& store) {
    for (int c = 0; c < kCustomers; ++c) {
      std::vector<uint64_t> seqs;
      ASSERT_TRUE(store
                      .ForEachLedgerEntry("c" + std::to_string(c),
                                          [&](const LedgerEntry& e) {
                                            seqs.push_back(e.seq);
                                            return Status::Ok();
                                          })
                      .ok());
      ASSERT_EQ(seqs.size(), static_cast<std::size_t>(kCommits)) << "customer c" << c;
      for (int i = 0; i < kCommits; ++i) EXPECT_EQ(seqs[i], static_cast<uint64_t>(i + 1));
      auto state = store.GetCustomer("c" + std::to_string(c));
      ASSERT_TRUE(state.ok() && state->has_value());
      EXPECT_EQ((*state)->version, static_cast<uint64_t>(kCommits));
    }
  };
  {
    auto store = Store::Open({dir.path()});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    for (int i = 1; i <= kCommits; ++i) {
      WriteSet w = (*store)->NewWriteSet();
      for (int k = 0; k < kCustomers; ++k) {
        const int c = (k * 7 + i) % kCustomers;  // a different order each commit
        LedgerEntry e;
        e.customer_id = "c" + std::to_string(c);
        e.seq = static_cast<uint64_t>(i);
        e.points = 10;
        e.at_ms = kT0;
        w.PutLedger(e);
        CustomerState s;
        s.customer_id = e.customer_id;
        s.cards = {"card-" + e.customer_id};
        s.version = i;
        w.PutCustomer(s);
      }
      ASSERT_TRUE((*store)->Commit(w).ok());
    }
    check(**store);
  }
  auto store = Store::Open({dir.path()});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  check(**store);
}

TEST(KeyCodecTest, MalformedLedgerKeysAreCorruption) {
  EXPECT_FALSE(store_keys::ParseLedgerKey("").ok());
  EXPECT_FALSE(store_keys::ParseLedgerKey(std::string("\x05"
                                                      "ab",
                                                      3))
                   .ok());
}

// Writes one decided purchase the way a shard does.
void Write(Store& store, const DecideResult& r, const std::string& card) {
  WriteSet w = store.NewWriteSet();
  if (r.effects.txn) w.PutTxn(*r.effects.txn, kT0);
  for (const auto& e : r.effects.ledger) w.PutLedger(e);
  w.PutCustomer(*r.effects.state);
  if (r.effects.link_card) w.PutCard(card, r.effects.state->customer_id);
  ASSERT_TRUE(store.Commit(w).ok());
}

TEST(StoreTest, EverythingCommittedIsThereAfterReopening) {
  testing::TempDir dir;
  testing::World world;
  DecideResult r = world.Apply(testing::Purchase("T-1", "4242", {L("A", 1, 1234)}), kT0);
  r.effects.txn->reply = "stored-reply";
  testing::SetEveryProfileField(*r.effects.state);
  {
    auto store = Store::Open({dir.path()});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    Write(**store, r, "4242");
  }
  auto store = Store::Open({dir.path()});
  ASSERT_TRUE(store.ok());
  auto id = (*store)->GetCustomerIdForCard("4242");
  ASSERT_TRUE(id.ok() && id->has_value());
  auto state = (*store)->GetCustomer(**id);
  ASSERT_TRUE(state.ok() && state->has_value());
  EXPECT_EQ(**state, *r.effects.state);
  auto txn = (*store)->GetTxn("T-1");
  ASSERT_TRUE(txn.ok() && txn->has_value());
  EXPECT_EQ((*txn)->reply, "stored-reply");
  auto audit = Audit(**store);
  ASSERT_TRUE(audit.ok());
  EXPECT_EQ(audit->customers, 1u);
  EXPECT_EQ(audit->ledger_entries, 1u);
  EXPECT_EQ(audit->points_outstanding, 12);
  EXPECT_TRUE(audit->problems.empty());
}

TEST(StoreTest, MissingRecordsAreEmptyNotErrors) {
  testing::TempDir dir;
  auto store = Store::Open({dir.path()});
  ASSERT_TRUE(store.ok());
  auto txn = (*store)->GetTxn("nope");
  ASSERT_TRUE(txn.ok());
  EXPECT_FALSE(txn->has_value());
  auto card = (*store)->GetCustomerIdForCard("nope");
  ASSERT_TRUE(card.ok());
  EXPECT_FALSE(card->has_value());
}

TEST(StoreTest, AuditFindsABalanceThatDisagreesWithTheLedger) {
  testing::TempDir dir;
  testing::World world;
  DecideResult r = world.Apply(testing::Purchase("T-1", "C", {L("A", 1, 1234)}), kT0);
  auto store = Store::Open({dir.path()});
  ASSERT_TRUE(store.ok());
  r.effects.ledger.clear();  // a state written without its ledger entry
  Write(**store, r, "C");
  auto audit = Audit(**store);
  ASSERT_TRUE(audit.ok());
  ASSERT_FALSE(audit->problems.empty());
  EXPECT_NE(audit->problems[0].find("customer C"), std::string::npos);
}

TEST(StoreTest, RefusesToOpenADirectoryItCannotCreate) {
  auto store = Store::Open({"/proc/definitely/not/here"});
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find("/proc/definitely/not/here"), std::string::npos);
}

TEST(StoreTest, ALedgerPageGivesTheBalanceAfterEachEntryAndItsTransaction) {
  testing::TempDir dir;
  testing::World world;
  auto store = Store::Open({dir.path()});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  for (int i = 1; i <= 5; ++i) {
    Event e = testing::Purchase("T-" + std::to_string(i), "4242", {L("A", 1, 1000 * i)});
    e.store_id = "S" + std::to_string(i);
    Write(**store, world.Apply(e, kT0 + i), "4242");
  }
  auto page = (*store)->ReadLedgerPage("4242", 0, 2);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_TRUE(page->state.has_value());
  ASSERT_EQ(page->entries.size(), 2u);
  EXPECT_TRUE(page->more);
  EXPECT_EQ(page->entries[0].seq, 5u);  // newest first
  EXPECT_EQ(page->balance_after[0], page->state->balance());
  EXPECT_EQ(page->balance_after[1], page->state->balance() - page->entries[0].points);
  ASSERT_EQ(page->txns.count("T-5"), 1u);
  EXPECT_EQ(page->txns.at("T-5").store_id, "S5");  // where it happened, kept since this field
  auto rest = (*store)->ReadLedgerPage("4242", 4, 10);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->entries.size(), 3u);
  EXPECT_FALSE(rest->more);
  EXPECT_EQ(rest->entries[0].seq, 3u);
  EXPECT_EQ(rest->balance_after[2], rest->entries[2].points);  // the first entry: from zero
  auto nobody = (*store)->ReadLedgerPage("nobody", 0, 10);
  ASSERT_TRUE(nobody.ok());
  EXPECT_FALSE(nobody->state.has_value());
}

TEST(StoreTest, CustomersAreFoundByTheStartOfACardOrACustomerId) {
  testing::TempDir dir;
  testing::World world;
  auto store = Store::Open({dir.path()});
  ASSERT_TRUE(store.ok());
  for (const char* card : {"4242000011112222", "4242000033334444", "5555000011112222"}) {
    Write(**store,
          world.Apply(testing::Purchase(std::string("T-") + card, card, {L("A", 1, 100)}), kT0),
          card);
  }
  auto two = (*store)->FindCustomers("4242", 10);
  ASSERT_TRUE(two.ok());
  ASSERT_EQ(two->size(), 2u);  // by card; their ids (the same text) are not repeated
  EXPECT_EQ((*two)[0].card, "4242000011112222");
  EXPECT_EQ((*two)[0].customer_id, "4242000011112222");
  EXPECT_EQ((*store)->FindCustomers("4242", 1)->size(), 1u);
  EXPECT_EQ((*store)->FindCustomers("5555", 10)->size(), 1u);
  EXPECT_TRUE((*store)->FindCustomers("9", 10)->empty());
  EXPECT_TRUE((*store)->FindCustomers("", 10)->empty());
}

}  // namespace
}  // namespace loyalty

namespace loyalty {
namespace {

// DESIGN.md §6: transaction records older than the retention go at the next
// compaction, measured on the clock the store was given; younger ones stay.
TEST(StoreTest, TransactionRecordsOlderThanTheRetentionArePrunedWhenCompacted) {
  testing::TempDir dir;
  std::atomic<TimeMs> now{testing::kT0};
  StoreOptions options;
  options.path = dir.Sub("db");
  options.txn_retention.retention_ms = 30 * kMsPerDay;
  options.txn_retention.clock = [&] { return now.load(); };
  auto store = Store::Open(options);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  WriteSet w = (*store)->NewWriteSet();
  TxnRecord old_one, young_one;
  old_one.transaction_id = "T-OLD";
  young_one.transaction_id = "T-YOUNG";
  w.PutTxn(old_one, testing::kT0);
  w.PutTxn(young_one, testing::kT0 + 20 * kMsPerDay);
  ASSERT_TRUE((*store)->Commit(w).ok());

  now = testing::kT0 + 30 * kMsPerDay;  // exactly the retention: both stay
  ASSERT_TRUE((*store)->CompactTxns().ok());
  EXPECT_TRUE((*store)->GetTxn("T-OLD")->has_value());

  now = testing::kT0 + 31 * kMsPerDay;
  ASSERT_TRUE((*store)->CompactTxns().ok());
  EXPECT_FALSE((*store)->GetTxn("T-OLD")->has_value());
  EXPECT_TRUE((*store)->GetTxn("T-YOUNG")->has_value());
  EXPECT_EQ((*store)->txns_pruned(), 1u);
}

TEST(StoreTest, ARetentionOfZeroKeepsEveryTransactionRecord) {
  testing::TempDir dir;
  StoreOptions options;
  options.path = dir.Sub("db");
  options.txn_retention.retention_ms = 0;
  options.txn_retention.clock = [] { return testing::kT0 + 10'000 * kMsPerDay; };
  auto store = Store::Open(options);
  ASSERT_TRUE(store.ok());
  WriteSet w = (*store)->NewWriteSet();
  TxnRecord t;
  t.transaction_id = "T-1";
  w.PutTxn(t, testing::kT0);
  ASSERT_TRUE((*store)->Commit(w).ok());
  ASSERT_TRUE((*store)->CompactTxns().ok());
  EXPECT_TRUE((*store)->GetTxn("T-1")->has_value());
}

}  // namespace
}  // namespace loyalty

namespace loyalty {
namespace {

// Two shards stage outbox events at once and commit out of order: a reader
// going on from the last event it got must neither miss the one committed
// late nor see a later one before it (DESIGN: at least once, in order).
// The records' sequences of events read from the outbox (an event's each).
std::vector<uint64_t> SeqsOf(const std::vector<Store::OutboxItem>& items) {
  std::vector<uint64_t> seqs;
  for (const auto& i : items) seqs.push_back(i.seq);
  return seqs;
}

TEST(OutboxStoreTest, AReaderStopsBeforeAnEventStillBeingCommittedAndGoesOnInOrder) {
  testing::TempDir dir;
  auto store = Store::Open({dir.path()});
  ASSERT_TRUE(store.ok());
  WriteSet first = (*store)->NewWriteSet();
  first.PutOutbox("A", R"({"id":"a1"})");  // sequence 1, committed last
  WriteSet second = (*store)->NewWriteSet();
  second.PutOutbox("B", R"({"id":"b1"})");  // sequence 2
  ASSERT_TRUE((*store)->Commit(second).ok());
  auto read = (*store)->ReadOutbox(0, 10);
  ASSERT_TRUE(read.ok());
  EXPECT_TRUE(read->empty());  // 2 is there, but 1 may still come
  ASSERT_TRUE((*store)->Commit(first).ok());
  read = (*store)->ReadOutbox(0, 10);
  ASSERT_EQ(read->size(), 2u);
  EXPECT_EQ((*read)[0].event_json, R"({"id":"a1"})");
  EXPECT_EQ((*read)[1].seq, 2u);
  ASSERT_TRUE((*store)->AckOutbox({1}).ok());
  read = (*store)->ReadOutbox(1, 10);
  ASSERT_EQ(read->size(), 1u);
  EXPECT_EQ(read->front().seq, 2u);
  {
    WriteSet dropped = (*store)->NewWriteSet();  // never committed: holds nothing back
    dropped.PutOutbox("C", R"({"id":"c1"})");
  }
  WriteSet third = (*store)->NewWriteSet();
  third.PutOutbox("C", R"({"id":"c2"})");
  ASSERT_TRUE((*store)->Commit(third).ok());
  read = (*store)->ReadOutbox(2, 10);
  ASSERT_EQ(read->size(), 1u);
  EXPECT_EQ(read->front().event_json, R"({"id":"c2"})");
  // The sequence goes on after a reopen.
  store->reset();
  store = Store::Open({dir.path()});
  ASSERT_TRUE(store.ok());
  EXPECT_EQ((*store)->outbox_last_seq(), 4u);
}

// A batch's events make one record under one sequence (one key to write and
// delete, not one per event); readers get them one by one, in staging
// order, and never half a record. A record from before batches shared one
// (one event's JSON alone under its key) is still read, and dead letters
// and their redelivery keep every event of a record.
TEST(OutboxStoreTest, ABatchsEventsAreOneRecordReadWholeAndOldSingleEventRecordsStillRead) {
  testing::TempDir dir;
  auto store = Store::Open({dir.path()});
  ASSERT_TRUE(store.ok());
  // As a store written before records held batches has it: sequence 1.
  ASSERT_TRUE((*store)->PutMeta({{store_keys::OutboxKey(1), R"({"id":"old"})"}}).ok());
  store->reset();
  store = Store::Open({dir.path()});
  ASSERT_TRUE(store.ok());
  EXPECT_EQ((*store)->outbox_last_seq(), 1u);
  WriteSet group = (*store)->NewWriteSet();
  for (const char* e :
       {R"({"id":"g1"})", R"({"id":"g2","data":{"note":"a\u001eb"}})", R"({"id":"g3"})"}) {
    group.PutOutbox("A", e);
  }
  ASSERT_FALSE(group.empty());
  ASSERT_TRUE((*store)->Commit(group).ok());
  WriteSet next = (*store)->NewWriteSet();
  next.PutOutbox("B", R"({"id":"n1"})");
  next.PutOutbox("B", R"({"id":"n2"})");
  ASSERT_TRUE((*store)->Commit(next).ok());
  EXPECT_EQ((*store)->outbox_last_seq(), 3u);  // a sequence per record
  auto events = [](const std::vector<Store::OutboxItem>& items) {
    std::vector<std::string> out;
    for (const auto& i : items) out.push_back(std::to_string(i.seq) + " " + i.event_json);
    return out;
  };
  auto read = (*store)->ReadOutbox(0, 3);  // 1 + 3 > 3: the first record only
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(events(*read), std::vector<std::string>{R"(1 {"id":"old"})"});
  read = (*store)->ReadOutbox(1, 2);  // a record larger than max comes whole
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(events(*read), (std::vector<std::string>{R"(2 {"id":"g1"})",
                                                     R"(2 {"id":"g2","data":{"note":"a\u001eb"}})",
                                                     R"(2 {"id":"g3"})"}));
  read = (*store)->ReadOutbox(0, 100);
  ASSERT_EQ(read->size(), 6u);
  EXPECT_EQ(read->back().event_json, R"({"id":"n2"})");
  // Acknowledged by its events' sequences: the record goes, the next stays.
  ASSERT_TRUE((*store)->AckOutbox({1, 2, 2, 2}).ok());
  read = (*store)->ReadOutbox(0, 100);
  EXPECT_EQ(events(*read), (std::vector<std::string>{R"(3 {"id":"n1"})", R"(3 {"id":"n2"})"}));
  // Given up on: the record moves whole, each event a dead letter.
  ASSERT_TRUE((*store)->DeadLetterOutbox(SeqsOf(*read), "HTTP 500", 3, 1'000).ok());
  EXPECT_TRUE((*store)->ReadOutbox(0, 100)->empty());
  auto dead = (*store)->ReadDeadLetters(10);
  ASSERT_TRUE(dead.ok());
  ASSERT_EQ(dead->size(), 2u);
  EXPECT_EQ((*dead)[1].event_json, R"({"id":"n2"})");
  EXPECT_EQ((*dead)[1].error, "HTTP 500");
  EXPECT_EQ((*dead)[1].tries, 3u);
  EXPECT_EQ((*store)->ReadDeadLetters(1)->size(), 1u);
  auto moved = (*store)->RedeliverDeadLetters();
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(*moved, 2u);
  EXPECT_TRUE((*store)->ReadDeadLetters(10)->empty());
  read = (*store)->ReadOutbox(3, 100);
  EXPECT_EQ(events(*read), (std::vector<std::string>{R"(4 {"id":"n1"})", R"(4 {"id":"n2"})"}));
  // A dead letter from before: its one event after the head line.
  ASSERT_TRUE((*store)
                  ->PutMeta({{store_keys::DeadLetterKey(9), "12 2000 timed out\n{\"id\":\"d\"}"}})
                  .ok());
  dead = (*store)->ReadDeadLetters(10);
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ(dead->front().event_json, R"({"id":"d"})");
  EXPECT_EQ(dead->front().error, "timed out");
  EXPECT_EQ(dead->front().at_ms, 2000);
  ASSERT_EQ(*(*store)->RedeliverDeadLetters(), 1u);
  EXPECT_EQ(events(*(*store)->ReadOutbox(4, 100)), std::vector<std::string>{R"(5 {"id":"d"})"});
}

// An erasure takes the customer's events (by their subject) out of the
// records still waiting in the outbox and out of the dead letters: a record
// of theirs alone goes, a shared one keeps the other customers' events, a
// dead letter keeps its failure. Nothing else that only looks alike goes.
// A record the dispatcher read before the erasure and gives up on after it
// becomes a dead letter as the erasure left it.
TEST(OutboxStoreTest, AnErasureDropsTheCustomersWaitingAndDeadLetteredEventsAndKeepsOthers) {
  testing::TempDir dir;
  testing::World world;
  auto store = Store::Open({dir.path()});
  ASSERT_TRUE(store.ok());
  DecideResult r = world.Apply(testing::Purchase("T-1", "4242", {L("A", 1, 1234)}), kT0);
  Write(**store, r, "4242");
  const std::string who = r.effects.state->customer_id;
  auto event = [](const std::string& id, const std::string& subject, const std::string& data) {
    return R"({"id":")" + id + R"(","subject":")" + subject + R"(","data":)" + data + "}";
  };
  const std::string a1 = event("a1", who, R"({"card":"4242"})");
  const std::string b1 = event("b1", "B", "{}");
  const std::string a2 = event("a2", who, "{}");
  const std::string a3 = event("a3", who, R"({"birthday":"1980-02-29"})");
  const std::string b3 = event("b3", "B", "{}");
  const std::string look_alike = event("c4", who + "0", "{}");
  const std::string quoted = event("b4", "B", R"({"comment":"\"subject\":\")" + who + R"(\""})");
  const std::string a5 = event("a5", who, "{}");
  const std::string b5 = event("b5", "B", "{}");
  const std::string a6 = event("a6", who, "{}");
  for (const auto& record : std::vector<std::vector<std::string>>{
           {a1, b1}, {a2}, {a3, b3}, {look_alike, quoted}, {a5, b5}, {a6}}) {
    WriteSet w = (*store)->NewWriteSet();
    for (const auto& e : record) w.PutOutbox("x", e);
    ASSERT_TRUE((*store)->Commit(w).ok());
  }
  auto third = (*store)->ReadOutbox(2, 2);  // the third record: given up on
  ASSERT_TRUE(third.ok());
  ASSERT_EQ(third->size(), 2u);
  ASSERT_TRUE((*store)->DeadLetterOutbox(SeqsOf(*third), "HTTP 503", 12, 5'000).ok());
  auto in_delivery = (*store)->ReadOutbox(4, 10);  // read before the erasure
  ASSERT_TRUE(in_delivery.ok());
  ASSERT_EQ(in_delivery->size(), 3u);

  CustomerState pseudonym = *r.effects.state;
  pseudonym.customer_id = "erased-1";
  WriteSet erase = (*store)->NewWriteSet();
  erase.EraseCustomer(who, pseudonym);
  ASSERT_TRUE((*store)->Commit(erase).ok());
  ASSERT_TRUE((*store)->DeadLetterOutbox(SeqsOf(*in_delivery), "timed out", 1, 6'000).ok());

  auto left = (*store)->ReadOutbox(0, 100);
  ASSERT_TRUE(left.ok());
  std::vector<std::string> waiting;
  for (const auto& i : *left) {
    waiting.push_back(std::to_string(i.seq) + " " + i.event_json);
  }
  EXPECT_EQ(waiting, (std::vector<std::string>{"1 " + b1, "4 " + look_alike, "4 " + quoted}));
  auto dead = (*store)->ReadDeadLetters(10);
  ASSERT_TRUE(dead.ok());
  ASSERT_EQ(dead->size(), 2u);
  EXPECT_EQ((*dead)[1].event_json, b5);
  EXPECT_EQ((*dead)[1].seq, 5u);
  EXPECT_EQ(dead->front().event_json, b3);
  EXPECT_EQ(dead->front().error, "HTTP 503");
  EXPECT_EQ(dead->front().tries, 12u);
  EXPECT_EQ(dead->front().at_ms, 5'000);
  // What is left of the outbox names them nowhere as a subject.
  for (const char* prefix : {store_keys::kOutboxPrefix, store_keys::kDeadLetterPrefix}) {
    ASSERT_TRUE(
        (*store)
            ->ForEachMeta(
                prefix, false,
                [&](std::string_view key, std::string_view value) {
                  EXPECT_EQ(value.find("\"subject\":\"" + who + "\""), std::string_view::npos)
                      << key;
                  EXPECT_EQ(value.find("1980-02-29"), std::string_view::npos);
                  return true;
                })
            .ok());
  }
}

}  // namespace
}  // namespace loyalty
