// The crash test (DESIGN.md §2 rules 3-4): clients send purchases (some sent
// twice on purpose, some returned later) at a fixed rate and log every
// acknowledged transaction; the server is killed with SIGKILL at random
// moments and restarted; the clients resend what was not acknowledged. At the
// end, in the store itself: every acknowledged event is applied exactly once,
// nothing is half-applied, and balance == sum of the ledger for everyone.
//
// CI runs 20 kill cycles. The manual mode runs more:
//   LOYALTY_CRASH_KILLS=500 build/bin/crash_test
// and prints "kills N lost 0 duplicated 0".
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "adapters/net/client.h"
#include "adapters/rocksdb/audit.h"
#include "adapters/rocksdb/store.h"
#include "tests/support/pki.h"
#include "tests/support/requests.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace loyalty {
namespace {

using namespace std::chrono_literals;

struct Acked {
  std::string card;
  int64_t points = 0;    // earned (purchase) or reversed (return)
  std::string decision;  // the decision bytes, to compare with a replay
  bool is_return = false;
};

// What every client saw acknowledged, shared for the final check.
struct Ledger {
  std::mutex mu;
  std::map<std::string, Acked> acked;  // by transaction id
  uint64_t replay_mismatches = 0;
};

class CrashClient {
 public:
  CrashClient(int id, std::atomic<uint16_t>& port, Ledger& ledger)
      : id_(id), port_(port), ledger_(ledger), rng_(static_cast<uint64_t>(id) * 7919) {}

  // Sends at a fixed rate until `stop`; then makes sure the last one landed.
  void Run(const std::atomic<bool>& stop) {
    while (!stop) {
      if (!pending_) pending_ = NextRequest();
      if (Send()) pending_.reset();
      std::this_thread::sleep_for(2ms);
    }
    while (pending_ && !Send()) std::this_thread::sleep_for(20ms);
  }

 private:
  v1::Request NextRequest() {
    const int roll = static_cast<int>(rng_() % 10);
    if (roll == 0 && !bought_.empty()) {  // the same sale again, on purpose
      return Purchase(bought_[rng_() % bought_.size()]);
    }
    if (roll == 1 && !bought_.empty()) {  // return a whole earlier basket
      const std::size_t at = rng_() % bought_.size();
      const std::string original = bought_[at];
      bought_.erase(bought_.begin() + static_cast<long>(at));
      v1::Request r;
      v1::Return* p = r.mutable_purchase_return();
      p->set_transaction_id("ret-" + original);
      p->set_original_transaction_id(original);
      p->set_store_id("S1");
      p->set_card(CardOf(original));
      p->set_event_time_ms(NowMs());
      p->set_currency("EUR");
      v1::Line* l = p->add_lines();
      l->set_sku("BASKET");
      l->set_quantity(1);
      return r;
    }
    const std::string txn = "c" + std::to_string(id_) + "-" + std::to_string(next_++);
    cards_[txn] = "crash-" + std::to_string(id_) + "-" + std::to_string(rng_() % 10);
    amounts_[txn] = 100 + static_cast<int64_t>(rng_() % 10000);
    return Purchase(txn);
  }

  v1::Request Purchase(const std::string& txn) {
    v1::Request r = testing::WirePurchase(txn, cards_.at(txn), amounts_.at(txn));
    r.mutable_purchase()->set_event_time_ms(NowMs());
    return r;
  }
  std::string CardOf(const std::string& txn) { return cards_.at(txn); }

  // One attempt; false when the server did not answer (down, or killed).
  bool Send() {
    if (!client_) {
      auto c = testing::ConnectAs("127.0.0.1:" + std::to_string(port_.load()), "ops-test", 2000);
      if (!c.ok()) return false;
      client_ = std::move(*c);
    }
    auto reply = client_->Call(*pending_);
    if (!reply.ok()) {
      client_.reset();
      return false;
    }
    if (!reply->has_decision()) return false;  // UNAVAILABLE while restarting: retry
    Record(*pending_, reply->decision());
    return true;
  }

  void Record(const v1::Request& r, const v1::Decision& d) {
    const bool is_return = r.has_purchase_return();
    const std::string txn =
        is_return ? r.purchase_return().transaction_id() : r.purchase().transaction_id();
    const std::string bytes = d.SerializeAsString();
    std::lock_guard lock(ledger_.mu);
    auto [it, fresh] = ledger_.acked.try_emplace(txn);
    if (!fresh) {  // a replay: must be the first answer, byte for byte
      if (it->second.decision != bytes) ledger_.replay_mismatches += 1;
      return;
    }
    it->second = {is_return ? r.purchase_return().card() : r.purchase().card(),
                  is_return ? d.points_reversed() : d.points_earned(), bytes, is_return};
    if (!is_return && d.outcome() == v1::APPLIED) bought_.push_back(txn);
  }

  static int64_t NowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

  int id_;
  std::atomic<uint16_t>& port_;
  Ledger& ledger_;
  std::mt19937_64 rng_;
  std::unique_ptr<net::Client> client_;
  std::optional<v1::Request> pending_;
  uint64_t next_ = 0;
  std::vector<std::string> bought_;
  std::map<std::string, std::string> cards_;
  std::map<std::string, int64_t> amounts_;
};

int KillCycles() {
  const char* v = std::getenv("LOYALTY_CRASH_KILLS");
  return v ? std::max(1, std::atoi(v)) : 20;
}

TEST(CrashTest, EveryAcknowledgedEventSurvivesKillNineExactlyOnce) {
  testing::TempDir dir;
  const std::string db = dir.Sub("db");
  auto server = std::make_unique<testing::ServerProcess>(db);
  ASSERT_TRUE(server->ok()) << server->Stderr();
  std::atomic<uint16_t> port{static_cast<uint16_t>(server->port())};
  const std::string listen = server->address();

  Ledger ledger;
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  std::vector<std::unique_ptr<CrashClient>> clients;
  for (int i = 0; i < 4; ++i) {
    clients.push_back(std::make_unique<CrashClient>(i, port, ledger));
    threads.emplace_back([&, i] { clients[static_cast<std::size_t>(i)]->Run(stop); });
  }
  std::mt19937_64 rng(42);
  const int kills = KillCycles();
  for (int k = 0; k < kills; ++k) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50 + rng() % 250));
    ASSERT_EQ(server->StopWith(SIGKILL), 128 + SIGKILL);
    server = std::make_unique<testing::ServerProcess>(db, std::vector<std::string>{}, listen);
    ASSERT_TRUE(server->ok()) << "restart " << k << ": " << server->Stderr();
  }
  std::this_thread::sleep_for(200ms);
  stop = true;
  for (auto& t : threads) t.join();
  ASSERT_EQ(server->StopWith(SIGTERM), 0);

  // The store, read directly.
  auto store = Store::Open({db});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto audit = Audit(**store);
  ASSERT_TRUE(audit.ok());
  for (const std::string& p : audit->problems) ADD_FAILURE() << p;

  uint64_t lost = 0, duplicated = 0;
  std::map<std::string, int64_t> expected_balance;
  for (const auto& [txn, a] : ledger.acked) {
    auto rec = (*store)->GetTxn(txn);
    ASSERT_TRUE(rec.ok());
    if (!rec->has_value()) lost += 1;
    expected_balance[a.card] += a.is_return ? -a.points : a.points;
  }
  for (const auto& [card, want] : expected_balance) {
    auto id = (*store)->GetCustomerIdForCard(card);
    ASSERT_TRUE(id.ok() && id->has_value()) << card;
    auto state = (*store)->GetCustomer(**id);
    ASSERT_TRUE(state.ok() && state->has_value());
    std::map<std::string, int> entries_per_txn;
    ASSERT_TRUE((*store)
                    ->ForEachLedgerEntry(
                        **id,
                        [&](const LedgerEntry& e) {
                          if (!e.transaction_id.empty() && ++entries_per_txn[e.transaction_id] > 1)
                            duplicated += 1;
                          if (!e.transaction_id.empty() && !ledger.acked.count(e.transaction_id)) {
                            ADD_FAILURE() << "ledger entry for " << e.transaction_id
                                          << " that nobody acknowledged";
                          }
                          return Status::Ok();
                        })
                    .ok());
    EXPECT_EQ((*state)->balance(), want) << "card " << card;
  }
  std::printf("kills %d lost %llu duplicated %llu (acknowledged %zu, replays that differed %llu)\n",
              kills, static_cast<unsigned long long>(lost),
              static_cast<unsigned long long>(duplicated), ledger.acked.size(),
              static_cast<unsigned long long>(ledger.replay_mismatches));
  EXPECT_EQ(lost, 0u);
  EXPECT_EQ(duplicated, 0u);
  EXPECT_EQ(ledger.replay_mismatches, 0u);
  EXPECT_GT(ledger.acked.size(), 100u);
}

}  // namespace
}  // namespace loyalty
