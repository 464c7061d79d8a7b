// A replicated group (issue 18): a real ZooKeeper and three real loyaltyd
// nodes on loopback, replication sync. Registers sell at a steady rate
// through the failover client (adapters/net/failover_client.h), logging
// every acknowledged sale; the primary is killed with SIGKILL at random
// moments and started again. Each time a standby takes over and sales are
// acknowledged again within 5 s. At the end, on every node's store: every
// acknowledged sale applied exactly once, the audit clean (what `loyalty
// check` runs), and the three states identical.
//
// CI runs 5 kill cycles. The manual mode runs more:
//   LOYALTY_GROUP_KILLS=100 build/bin/group_test --gtest_filter='*KillNine*'
// and prints "failovers N, acknowledged again after p50 .. ms, max .. ms".
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "adapters/net/failover_client.h"
#include "adapters/rocksdb/audit.h"
#include "adapters/rocksdb/store.h"
#include "proto/store_codec.h"
#include "tests/support/free_port.h"
#include "tests/support/http_client.h"
#include "tests/support/pki.h"
#include "tests/support/requests.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait_for.h"
#include "tests/support/zookeeper_process.h"

namespace loyalty {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

constexpr const char* kAdminToken = "test-only-admin-token-7f3a9c2e";

struct Node {
  std::string id;
  std::string data;
  std::string listen;
  std::string replication;
  std::string admin;  // fixed: a deposed primary starts again on the same ports
  bool paused = false;
  std::unique_ptr<testing::ServerProcess> process;
};

// Three nodes of one group, each started and restarted with the same
// addresses and data directory.
class GroupFixture {
 public:
  explicit GroupFixture(const std::string& mode = "sync", int nodes = 3) {
    const std::string secret = dir_.Sub("group.secret");
    std::ofstream(secret) << "a-test-only-group-secret-of-enough-length-0123456789\n";
    config_ = dir_.Sub("group.yaml");
    std::ofstream(config_) << "replication_tls: \"off\"\n"
                           << "replication_secret_file: \"" << secret << "\"\n"
                           << "zookeeper_session_ms: 2000\n"
                           << "replication: " << mode << "\n"
                           << "shards: 2\n"
                           << "admin_tokens: [{name: ops, role: admin, token: \"" << kAdminToken
                           << "\"}]\n";
    for (int i = 0; i < nodes; ++i) {
      Node n;
      n.id = "n" + std::to_string(i + 1);
      n.data = dir_.Sub(n.id);
      n.listen = "127.0.0.1:" + std::to_string(testing::FreePort());
      n.replication = "127.0.0.1:" + std::to_string(testing::FreePort());
      n.admin = "127.0.0.1:" + std::to_string(testing::FreePort());
      nodes_.push_back(std::move(n));
    }
  }

  bool zk_ok() const { return zk_.ok(); }
  std::string zk_error() const { return zk_.error(); }
  std::vector<Node>& nodes() { return nodes_; }
  std::vector<std::string> Addresses() const {
    std::vector<std::string> out;
    for (const Node& n : nodes_) out.push_back(n.listen);
    return out;
  }

  // Starts node i; true once it listens (as a standby or the primary).
  bool Start(size_t i, const std::vector<std::string>& more_flags = {}) {
    Node& n = nodes_[i];
    std::vector<std::string> flags{"--config",       config_, "--zookeeper",          zk_.address(),
                                   "--node-id",      n.id,    "--replication-listen", n.replication,
                                   "--admin-listen", n.admin};
    flags.insert(flags.end(), more_flags.begin(), more_flags.end());
    n.process = std::make_unique<testing::ServerProcess>(n.data, flags, n.listen);
    return n.process->ok();
  }

  // SIGTERM to the standbys, then to `primary` (nothing is written after
  // it stops); each exits 0.
  void StopAll(int primary) {
    for (size_t i = 0; i < nodes_.size(); ++i) {
      if (static_cast<int>(i) != primary) {
        EXPECT_EQ(nodes_[i].process->StopWith(SIGTERM), 0) << nodes_[i].id;
      }
    }
    EXPECT_EQ(nodes_[static_cast<size_t>(primary)].process->StopWith(SIGTERM), 0);
  }

  // The end of every node's log, for a failure's message.
  std::string Explain() const {
    std::string out;
    for (const Node& n : nodes_) {
      const std::string err = n.process ? n.process->Stderr() : "";
      out += "\n--- " + n.id + " ---\n" + err.substr(err.size() > 4000 ? err.size() - 4000 : 0);
    }
    return out;
  }

  json Cluster(size_t i) const {
    const Node& n = nodes_[i];
    if (!n.process || n.paused) return json();
    const auto reply =
        testing::Http(std::stoi(n.admin.substr(n.admin.rfind(':') + 1)), "GET", "/v1/cluster");
    if (reply.status != 200) return json();
    return json::parse(reply.body, nullptr, false);
  }

  // The node serving as primary, -1 when none does.
  int Primary() const {
    for (size_t i = 0; i < nodes_.size(); ++i) {
      const json c = Cluster(i);
      if (c.is_object() && c.value("serving", false)) return static_cast<int>(i);
    }
    return -1;
  }

  // True once the primary has `standbys` followers that acknowledged
  // everything it has.
  bool CaughtUp(size_t standbys) const {
    const int p = Primary();
    if (p < 0) return false;
    const json c = Cluster(static_cast<size_t>(p));
    if (!c.is_object() || !c.contains("replication")) return false;
    const json& list = c["replication"]["standbys"];
    if (!list.is_array() || list.size() < standbys) return false;
    for (const json& s : list)
      if (s["lag_batches"].get<uint64_t>() != 0) return false;
    return true;
  }

 private:
  testing::ZooKeeperProcess zk_;
  testing::TempDir dir_;
  std::string config_;
  std::vector<Node> nodes_;
};

// Joins the registers' threads whichever way a test ends.
struct Tills {
  std::atomic<bool>& stop;
  std::vector<std::thread> threads;
  ~Tills() {
    stop = true;
    for (auto& t : threads)
      if (t.joinable()) t.join();
  }
};

struct Acked {
  std::string card;
  int64_t points = 0;
  std::string decision;
};

struct Sales {
  std::mutex mu;
  std::map<std::string, Acked> acked;  // by transaction id
  uint64_t replay_mismatches = 0;
  std::atomic<uint64_t> count{0};
  std::atomic<int64_t> last_ack_ms{0};  // steady clock
};

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch())
      .count();
}

// A register: one purchase every few ms, each sent until it is answered.
void Register(int id, const std::vector<std::string>& addresses, Sales& sales,
              const std::atomic<bool>& stop) {
  net::FailoverClient client(addresses, testing::ClientOptionsFor("ops-test", 2000));
  std::mt19937_64 rng(static_cast<uint64_t>(id) * 7919);
  for (uint64_t n = 0; !stop; ++n) {
    const std::string txn = "g" + std::to_string(id) + "-" + std::to_string(n);
    const std::string card = "group-" + std::to_string(id) + "-" + std::to_string(rng() % 8);
    v1::Request r = testing::WirePurchase(txn, card, 100 + static_cast<int64_t>(rng() % 5000));
    r.mutable_purchase()->set_event_time_ms(testing::WallClockMs());
    // Until answered: a failover takes seconds, never this long.
    auto reply = client.Call(r, 60s);
    if (!reply.ok() || !reply->has_decision()) {
      ADD_FAILURE() << txn << " was never answered: "
                    << (reply.ok() ? reply->DebugString() : reply.status().ToString());
      return;
    }
    const std::string bytes = reply->decision().SerializeAsString();
    {
      std::lock_guard lock(sales.mu);
      sales.acked[txn] = {card, reply->decision().points_earned(), bytes};
    }
    sales.count += 1;
    sales.last_ack_ms = SteadyMs();
    if (rng() % 10 == 0) {  // the same sale again: the stored answer, byte for byte
      auto again = client.Call(r, 60s);
      if (again.ok() && again->has_decision() && again->decision().SerializeAsString() != bytes) {
        std::lock_guard lock(sales.mu);
        sales.replay_mismatches += 1;
      }
    }
    std::this_thread::sleep_for(5ms);
  }
}

// True when every thread of `pid` is stopped (state T in /proc).
bool AllThreadsStopped(pid_t pid) {
  const std::string tasks = "/proc/" + std::to_string(pid) + "/task";
  std::error_code ec;
  for (const auto& t : std::filesystem::directory_iterator(tasks, ec)) {
    std::ifstream stat(t.path() / "stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    const size_t paren = text.rfind(')');
    if (paren == std::string::npos || paren + 2 >= text.size() || text[paren + 2] != 'T') {
      return false;
    }
  }
  return !ec;
}

int KillCycles() {
  const char* v = std::getenv("LOYALTY_GROUP_KILLS");
  return v ? std::max(1, std::atoi(v)) : 5;
}

// Every customer's state as the store encodes it, by customer id.
std::map<std::string, std::string> States(Store& store) {
  std::map<std::string, std::string> out;
  EXPECT_TRUE(store
                  .ForEachCustomer([&](const CustomerState& c) {
                    out[c.customer_id] = store_codec::EncodeCustomer(c);
                    return Status::Ok();
                  })
                  .ok());
  return out;
}

// On every node's store: each acknowledged sale once, balances exact, the
// audit (what `loyalty check` runs) clean, and the same state everywhere.
void ExpectEveryStoreHoldsEverySaleOnce(std::vector<Node>& nodes, Sales& sales) {
  std::map<std::string, std::string> first;
  for (size_t i = 0; i < nodes.size(); ++i) {
    auto store = Store::Open({nodes[i].data});
    ASSERT_TRUE(store.ok()) << nodes[i].id << ": " << store.status().ToString();
    auto audit = Audit(**store);
    ASSERT_TRUE(audit.ok());
    for (const std::string& p : audit->problems) ADD_FAILURE() << nodes[i].id << ": " << p;
    uint64_t lost = 0, duplicated = 0;
    std::map<std::string, int64_t> expected;
    for (const auto& [txn, a] : sales.acked) {
      auto rec = (*store)->GetTxn(txn);
      ASSERT_TRUE(rec.ok());
      if (!rec->has_value()) lost += 1;
      expected[a.card] += a.points;
    }
    for (const auto& [card, want] : expected) {
      auto id = (*store)->GetCustomerIdForCard(card);
      ASSERT_TRUE(id.ok() && id->has_value()) << nodes[i].id << " " << card;
      auto state = (*store)->GetCustomer(**id);
      ASSERT_TRUE(state.ok() && state->has_value());
      std::map<std::string, int> entries;
      ASSERT_TRUE((*store)
                      ->ForEachLedgerEntry(**id,
                                           [&](const LedgerEntry& e) {
                                             if (!e.transaction_id.empty() &&
                                                 ++entries[e.transaction_id] > 1)
                                               duplicated += 1;
                                             return Status::Ok();
                                           })
                      .ok());
      EXPECT_EQ((*state)->balance(), want) << nodes[i].id << " card " << card;
    }
    EXPECT_EQ(lost, 0u) << nodes[i].id;
    EXPECT_EQ(duplicated, 0u) << nodes[i].id;
    const auto states = States(**store);
    if (i == 0) {
      first = states;
    } else {
      EXPECT_EQ(states, first) << nodes[i].id << " differs from " << nodes[0].id;
    }
  }
}

TEST(GroupTest, KillNineThePrimaryAndAStandbyTakesOverWithNothingAcknowledgedLost) {
  GroupFixture group;
  ASSERT_TRUE(group.zk_ok()) << group.zk_error();
  auto& nodes = group.nodes();
  ASSERT_TRUE(group.Start(0)) << nodes[0].process->Stderr();
  ASSERT_TRUE(testing::WaitFor([&] { return group.Primary() == 0; }, 20s))
      << nodes[0].process->Stderr();
  ASSERT_TRUE(group.Start(1)) << nodes[1].process->Stderr();
  ASSERT_TRUE(group.Start(2)) << nodes[2].process->Stderr();
  ASSERT_TRUE(testing::WaitFor([&] { return group.CaughtUp(2); }, 30s))
      << group.Cluster(0).dump() << nodes[0].process->Stderr() << nodes[1].process->Stderr();

  Sales sales;
  std::atomic<bool> stop{false};
  const auto addresses = group.Addresses();
  Tills registers{stop, {}};
  for (int i = 0; i < 3; ++i) {
    registers.threads.emplace_back([&, i] { Register(i, addresses, sales, stop); });
  }
  std::mt19937_64 rng(7);
  std::vector<int64_t> failover_ms;
  const int kills = KillCycles();
  for (int k = 0; k < kills; ++k) {
    // Sales flowing, then a random moment.
    const uint64_t before = sales.count;
    ASSERT_TRUE(testing::WaitFor([&] { return sales.count >= before + 30; }, 20s))
        << "cycle " << k << ": sales stopped";
    std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 300));
    const int primary = group.Primary();
    ASSERT_GE(primary, 0) << "cycle " << k;
    Node& dead = nodes[static_cast<size_t>(primary)];
    const int64_t killed_at = SteadyMs();
    ASSERT_EQ(dead.process->StopWith(SIGKILL), 128 + SIGKILL);
    // A standby serves, and a sale is acknowledged again.
    ASSERT_TRUE(testing::WaitFor([&] { return sales.last_ack_ms > killed_at; }, 15s))
        << "cycle " << k << ": no sale acknowledged after the kill" << group.Explain();
    failover_ms.push_back(sales.last_ack_ms - killed_at);
    EXPECT_LT(failover_ms.back(), 5000) << "cycle " << k;
    // The dead node comes back as a standby and catches up.
    if (!group.Start(static_cast<size_t>(primary))) {
      const std::string err = dead.process->Stderr();
      FAIL() << "cycle " << k << ": " << dead.id << " did not start again (exit "
             << dead.process->StopWith(SIGKILL) << "): " << err << group.Explain();
    }
    ASSERT_TRUE(testing::WaitFor([&] { return group.CaughtUp(2); }, 30s))
        << "cycle " << k << ": " << group.Explain();
  }
  stop = true;
  for (auto& t : registers.threads) t.join();
  ASSERT_TRUE(testing::WaitFor([&] { return group.CaughtUp(2); }, 30s));
  const int primary = group.Primary();
  ASSERT_GE(primary, 0);
  // What an operator's dashboard reads.
  const std::string& admin = nodes[static_cast<size_t>(primary)].admin;
  const std::string metrics =
      testing::Http(std::stoi(admin.substr(admin.rfind(':') + 1)), "GET", "/metrics").body;
  EXPECT_NE(metrics.find("loyalty_cluster_role{role=\"primary\"} 1"), std::string::npos);
  EXPECT_NE(metrics.find("loyalty_replication_standbys 2"), std::string::npos);
  EXPECT_NE(metrics.find("loyalty_replication_lag_batches 0"), std::string::npos);
  // Standbys first: nothing is written after the primary stops.
  group.StopAll(primary);

  std::sort(failover_ms.begin(), failover_ms.end());
  std::printf("failovers %zu, acknowledged again after p50 %lld ms, max %lld ms (%zu sales)\n",
              failover_ms.size(), static_cast<long long>(failover_ms[failover_ms.size() / 2]),
              static_cast<long long>(failover_ms.back()), sales.acked.size());

  ExpectEveryStoreHoldsEverySaleOnce(nodes, sales);
  EXPECT_EQ(sales.replay_mismatches, 0u);
  EXPECT_GT(sales.acked.size(), 100u);
}

// A planned switchover (POST /v1/cluster/handover) while registers sell: the
// primary stops acknowledging, waits for a standby to have every batch and
// resigns; the standby behind it serves within a second (no session to time
// out), the old primary comes back as a standby, nothing is lost.
TEST(GroupTest, APlannedHandoverMovesThePrimaryWithoutLosingASale) {
  GroupFixture group;
  ASSERT_TRUE(group.zk_ok()) << group.zk_error();
  auto& nodes = group.nodes();
  ASSERT_TRUE(group.Start(0));
  ASSERT_TRUE(testing::WaitFor([&] { return group.Primary() == 0; }, 20s));
  ASSERT_TRUE(group.Start(1) && group.Start(2));
  ASSERT_TRUE(testing::WaitFor([&] { return group.CaughtUp(2); }, 30s));
  Sales sales;
  std::atomic<bool> stop{false};
  const auto addresses = group.Addresses();
  Tills tills{stop, {}};
  tills.threads.emplace_back([&] { Register(0, addresses, sales, stop); });
  ASSERT_TRUE(testing::WaitFor([&] { return sales.count >= 30; }, 20s));

  const auto& admin = nodes[0].admin;
  const int64_t asked_at = SteadyMs();
  const auto reply = testing::Http(std::stoi(admin.substr(admin.rfind(':') + 1)), "POST",
                                   "/v1/cluster/handover", kAdminToken);
  EXPECT_EQ(reply.status, 200) << reply.body;
  ASSERT_TRUE(testing::WaitFor([&] { return group.Primary() > 0; }, 10s));
  ASSERT_TRUE(testing::WaitFor([&] { return sales.last_ack_ms > SteadyMs() - 50; }, 10s));
  const uint64_t at_handover = sales.count;
  ASSERT_TRUE(testing::WaitFor([&] { return sales.count >= at_handover + 30; }, 20s));
  std::printf("handover: a new primary acknowledged sales %lld ms after the request\n",
              static_cast<long long>(sales.last_ack_ms.load() - asked_at));
  if (std::getenv("LOYALTY_GROUP_EXPLAIN")) std::printf("%s\n", group.Explain().c_str());
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        const json c = group.Cluster(0);
        return c.is_object() && c.value("role", "") == "standby";
      },
      30s));
  ASSERT_TRUE(testing::WaitFor([&] { return group.CaughtUp(2); }, 30s))
      << nodes[0].process->Stderr();
  stop = true;
  tills.threads[0].join();
  ASSERT_TRUE(testing::WaitFor([&] { return group.CaughtUp(2); }, 30s));
  const int primary = group.Primary();
  ASSERT_GT(primary, 0);
  group.StopAll(primary);
  ExpectEveryStoreHoldsEverySaleOnce(nodes, sales);
  EXPECT_EQ(sales.replay_mismatches, 0u);
}

// A node that brings a single node's store into a group after an empty node
// became primary keeps it: the primary's checkpoint never replaces a store
// no primary of a group wrote (it may be the chain's data); the node says
// why and waits for the operator (docs/OPERATIONS.md "From one node to a
// group").
TEST(GroupTest, AStoreFromBeforeTheGroupIsNeverReplacedByACopy) {
  GroupFixture group("sync", 2);
  ASSERT_TRUE(group.zk_ok()) << group.zk_error();
  auto& nodes = group.nodes();
  {
    testing::ServerProcess alone(nodes[1].data);
    ASSERT_TRUE(alone.ok()) << alone.Stderr();
    auto till = testing::ConnectAs(alone.address(), "ops-test", 10'000);
    ASSERT_TRUE(till.ok());
    v1::Request sale = testing::WirePurchase("before-the-group", "old-customer", 4200);
    sale.mutable_purchase()->set_event_time_ms(testing::WallClockMs());
    auto reply = (*till)->Call(sale);
    ASSERT_TRUE(reply.ok() && reply->has_decision()) << reply->ShortDebugString();
    ASSERT_EQ(alone.StopWith(SIGTERM), 0);
  }
  ASSERT_TRUE(group.Start(0));
  ASSERT_TRUE(testing::WaitFor([&] { return group.Primary() == 0; }, 20s));
  ASSERT_TRUE(group.Start(1));
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        return nodes[1].process->Stderr().find("a store from before the group") !=
               std::string::npos;
      },
      20s))
      << group.Explain();
  EXPECT_EQ(group.Cluster(1).value("role", ""), "standby");
  group.StopAll(0);
  auto kept = Store::Open({nodes[1].data});
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  auto rec = (*kept)->GetTxn("before-the-group");
  EXPECT_TRUE(rec.ok() && rec->has_value()) << "the old store was replaced";
}

// Sync replication: a primary whose every standby is gone acknowledges no
// sale, not even when the retry finds the sale on its own disk; once a
// standby is back, the retry is answered (the same decision) and the
// standby holds it.
TEST(GroupTest, ASyncPrimaryWithoutAStandbyAcknowledgesNothing) {
  GroupFixture group("sync", 2);
  ASSERT_TRUE(group.zk_ok()) << group.zk_error();
  auto& nodes = group.nodes();
  ASSERT_TRUE(group.Start(0));
  ASSERT_TRUE(testing::WaitFor([&] { return group.Primary() == 0; }, 20s));
  ASSERT_TRUE(group.Start(1));
  ASSERT_TRUE(testing::WaitFor([&] { return group.CaughtUp(1); }, 30s));
  auto till = testing::ConnectAs(nodes[0].listen, "ops-test", 10'000);
  ASSERT_TRUE(till.ok()) << till.status().ToString();
  v1::Request sale = testing::WirePurchase("alone-1", "alone", 2500);
  sale.mutable_purchase()->set_event_time_ms(testing::WallClockMs());

  const int admin = std::stoi(nodes[0].admin.substr(nodes[0].admin.rfind(':') + 1));
  const auto upload = [&](const std::string& name) {
    return testing::Http(admin, "POST", "/v1/rulesets", kAdminToken,
                         "name: " + name + "\nprogram:\n  currency: EUR\n");
  };

  ASSERT_EQ(nodes[1].process->StopWith(SIGKILL), 128 + SIGKILL);
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto reply = (*till)->Call(sale);
    ASSERT_TRUE(reply.ok()) << reply.status().ToString();
    EXPECT_TRUE(reply->has_error() && reply->error().code() == v1::UNAVAILABLE)
        << "attempt " << attempt << ": " << reply->ShortDebugString();
  }
  // A change outside the runtime (a marketer's rule set) is not
  // acknowledged either: made here, said so, not confirmed.
  const auto alone = upload("while-alone");
  EXPECT_EQ(alone.status, 503) << alone.body;
  EXPECT_NE(alone.body.find("NOT_REPLICATED"), std::string::npos) << alone.body;
  // Reads and sign-in need no standby.
  EXPECT_EQ(testing::Http(admin, "GET", "/v1/rulesets", kAdminToken).status, 200);

  ASSERT_TRUE(group.Start(1));
  ASSERT_TRUE(testing::WaitFor([&] { return group.CaughtUp(1); }, 30s))
      << nodes[1].process->Stderr();
  auto reply = (*till)->Call(sale);
  ASSERT_TRUE(reply.ok() && reply->has_decision()) << reply->ShortDebugString();
  EXPECT_EQ(reply->decision().outcome(), v1::APPLIED);
  const auto with_standby = upload("with-a-standby");
  EXPECT_LT(with_standby.status, 300) << with_standby.body;
  EXPECT_EQ(nodes[1].process->StopWith(SIGTERM), 0);
  EXPECT_EQ(nodes[0].process->StopWith(SIGTERM), 0);
  auto standby = Store::Open({nodes[1].data});
  ASSERT_TRUE(standby.ok()) << standby.status().ToString();
  auto rec = (*standby)->GetTxn("alone-1");
  EXPECT_TRUE(rec.ok() && rec->has_value());
}

// A primary that stops (SIGSTOP: a long GC-like pause, a frozen VM) past its
// ZooKeeper session: a standby takes over; when the old primary runs again,
// the sale that was waiting in its socket is not acknowledged, it starts
// again as a standby, and its copy ends up the same as the others'.
//
// In async mode: no standby's acknowledgement is awaited, so only the lease
// (group.h) stands between the waking primary and an acknowledgement.
TEST(GroupTest, APrimaryPausedPastItsSessionAcknowledgesNothingWhenItWakes) {
  GroupFixture group("async");
  ASSERT_TRUE(group.zk_ok()) << group.zk_error();
  auto& nodes = group.nodes();
  ASSERT_TRUE(group.Start(0)) << nodes[0].process->Stderr();
  ASSERT_TRUE(testing::WaitFor([&] { return group.Primary() == 0; }, 20s));
  ASSERT_TRUE(group.Start(1) && group.Start(2));
  ASSERT_TRUE(testing::WaitFor([&] { return group.CaughtUp(2); }, 30s));

  const auto addresses = group.Addresses();
  net::FailoverClient registers(addresses, testing::ClientOptionsFor("ops-test", 2000));
  auto sell = [&](const std::string& txn) {
    v1::Request r = testing::WirePurchase(txn, "paused-1", 1000);
    r.mutable_purchase()->set_event_time_ms(testing::WallClockMs());
    return registers.Call(r, 30s);
  };
  auto first = sell("before-pause");
  ASSERT_TRUE(first.ok() && first->has_decision()) << first.status().ToString();

  // A till connected to the primary itself, a sale in its socket while it sleeps.
  auto till = testing::ConnectAs(nodes[0].listen, "ops-test", 30'000);
  ASSERT_TRUE(till.ok()) << till.status().ToString();
  const json before = group.Cluster(0);
  ASSERT_TRUE(before.value("serving", false)) << "n1 is no longer the primary" << before.dump();
  ASSERT_EQ(::kill(nodes[0].process->pid(), SIGSTOP), 0);
  nodes[0].paused = true;
  // Stopped for sure: every thread of it (the signal stops each on its way).
  ASSERT_TRUE(testing::WaitFor([&] { return AllThreadsStopped(nodes[0].process->pid()); }, 5s));
  v1::Request late = testing::WirePurchase("while-paused", "paused-1", 5000);
  late.mutable_purchase()->set_event_time_ms(testing::WallClockMs());
  late.set_request_id(77);
  ASSERT_TRUE((*till)->Send(late).ok());

  // Past the 2 s session: another node serves, and sells.
  ASSERT_TRUE(testing::WaitFor([&] { return group.Primary() > 0; }, 20s));
  EXPECT_GT(group.Cluster(static_cast<size_t>(group.Primary())).value("epoch", 0),
            before.value("epoch", 0));
  auto during = sell("after-takeover");
  ASSERT_TRUE(during.ok() && during->has_decision()) << during.status().ToString();

  ASSERT_EQ(::kill(nodes[0].process->pid(), SIGCONT), 0);
  nodes[0].paused = false;
  // The old primary answers the waiting sale with an error, or goes away
  // (it starts again as a standby); a decision would be a second primary.
  auto answer = (*till)->Receive();
  std::printf("the waking primary answered: %s\n", answer.ok()
                                                       ? answer->ShortDebugString().c_str()
                                                       : answer.status().ToString().c_str());
  if (answer.ok()) {
    EXPECT_FALSE(answer->has_decision())
        << "the paused primary acknowledged: " << answer->DebugString() << group.Explain();
  }
  // It comes back as a standby, and the group is whole again.
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        const json c = group.Cluster(0);
        return c.is_object() && c.value("role", "") == "standby";
      },
      30s))
      << nodes[0].process->Stderr();
  ASSERT_TRUE(testing::WaitFor([&] { return group.CaughtUp(2); }, 30s))
      << nodes[0].process->Stderr();
  auto after = sell("after-wake");
  ASSERT_TRUE(after.ok() && after->has_decision());
  ASSERT_TRUE(testing::WaitFor([&] { return group.CaughtUp(2); }, 30s));
  const int primary = group.Primary();
  ASSERT_GT(primary, 0);
  group.StopAll(primary);
  // Every copy: the three acknowledged sales, not the one it never answered.
  std::map<std::string, std::string> first_states;
  for (size_t i = 0; i < nodes.size(); ++i) {
    auto store = Store::Open({nodes[i].data});
    ASSERT_TRUE(store.ok()) << nodes[i].id << ": " << store.status().ToString();
    for (const char* txn : {"before-pause", "after-takeover", "after-wake"}) {
      auto rec = (*store)->GetTxn(txn);
      EXPECT_TRUE(rec.ok() && rec->has_value()) << nodes[i].id << " lacks " << txn;
    }
    auto unanswered = (*store)->GetTxn("while-paused");
    EXPECT_TRUE(unanswered.ok() && !unanswered->has_value())
        << nodes[i].id << " applied the sale the paused primary never acknowledged";
    const auto states = States(**store);
    if (i == 0) {
      first_states = states;
    } else {
      EXPECT_EQ(states, first_states) << nodes[i].id << " differs from " << nodes[0].id;
    }
  }
}

// A standby with standby_lookups: on answers a till's lookups from its own
// copy, saying how far the copy had got (Profile.replica); writes still go
// to the primary (NOT_PRIMARY), and a standby without it redirects lookups
// too. The copy follows the primary: a sale on the primary shows on the
// standby, at a later batch.
TEST(GroupTest, AStandbyAnswersLookupsFromItsCopyAndSaysHowFarItHadGot) {
  GroupFixture group;
  ASSERT_TRUE(group.zk_ok()) << group.zk_error();
  auto& nodes = group.nodes();
  ASSERT_TRUE(group.Start(0));
  ASSERT_TRUE(testing::WaitFor([&] { return group.Primary() == 0; }, 20s));
  ASSERT_TRUE(group.Start(1, {"--standby-lookups", "on"})) << nodes[1].process->Stderr();
  ASSERT_TRUE(group.Start(2));
  ASSERT_TRUE(testing::WaitFor([&] { return group.CaughtUp(2); }, 30s)) << group.Explain();

  auto primary = testing::ConnectAs(nodes[0].listen, "ops-test", 10'000);
  auto standby = testing::ConnectAs(nodes[1].listen, "ops-test", 10'000);
  auto plain = testing::ConnectAs(nodes[2].listen, "ops-test", 10'000);
  ASSERT_TRUE(primary.ok() && standby.ok() && plain.ok());
  const auto sell = [&](const std::string& txn, int64_t minor) {
    v1::Request sale = testing::WirePurchase(txn, "lookup-card", minor);
    sale.mutable_purchase()->set_event_time_ms(testing::WallClockMs());
    auto reply = (*primary)->Call(sale);
    EXPECT_TRUE(reply.ok() && reply->has_decision()) << reply->ShortDebugString();
    return reply.ok() && reply->has_decision() ? reply->decision().balances().balance() : -1;
  };
  // The standby's answer once it shows `balance`.
  const auto standby_shows = [&](int64_t balance) {
    std::optional<v1::Profile> seen;
    testing::WaitFor(
        [&] {
          auto reply = (*standby)->Call(testing::WireLookup("lookup-card"));
          if (!reply.ok() || !reply->has_profile()) return false;
          if (reply->profile().balances().balance() != balance) return false;
          seen = reply->profile();
          return true;
        },
        10s);
    return seen;
  };

  const int64_t first = sell("standby-lookup-1", 12'345);
  ASSERT_GT(first, 0);
  const auto at_first = standby_shows(first);
  ASSERT_TRUE(at_first.has_value()) << group.Explain();
  EXPECT_EQ(at_first->cards(0), "lookup-card");
  ASSERT_TRUE(at_first->has_replica());
  const v1::ReplicaView& r1 = at_first->replica();
  EXPECT_EQ(r1.node_id(), "n2");
  EXPECT_GT(r1.applied_seq(), 0u);
  EXPECT_GE(r1.primary_seq(), r1.applied_seq());
  EXPECT_LT(std::abs(r1.read_at_ms() - testing::WallClockMs()), 60'000);

  // The CLI says where an answer came from.
  const auto cli =
      testing::RunCli({"--server", nodes[1].listen, "lookup", "--card", "lookup-card"});
  EXPECT_EQ(cli.exit_code, 0) << cli.out;
  EXPECT_NE(cli.out.find("from standby n2's copy, read at "), std::string::npos) << cli.out;
  if (std::getenv("LOYALTY_GROUP_EXPLAIN")) std::printf("%s\n", cli.out.c_str());
  const auto cli_json =
      testing::RunCli({"--server", nodes[1].listen, "--json", "lookup", "--card", "lookup-card"});
  ASSERT_EQ(cli_json.exit_code, 0) << cli_json.out;
  const json copy = json::parse(cli_json.out)["profile"]["replica"];
  EXPECT_EQ(copy.value("node_id", ""), "n2") << cli_json.out;
  EXPECT_TRUE(copy.contains("read_at")) << cli_json.out;

  // What the operator sees of it.
  const json described = group.Cluster(1);
  ASSERT_TRUE(described.contains("standby_lookups")) << described.dump();
  EXPECT_TRUE(described["standby_lookups"].value("answering", false)) << described.dump();
  EXPECT_FALSE(group.Cluster(2).contains("standby_lookups"));
  const auto metrics_of = [&](size_t i) {
    const std::string& admin = nodes[i].admin;
    return testing::Http(std::stoi(admin.substr(admin.rfind(':') + 1)), "GET", "/metrics").body;
  };
  // Fresh: read within the last few seconds (a catch-up every 100 ms).
  const std::string fresh = metrics_of(1);
  const std::string gauge = "\nloyalty_standby_lookups_age_seconds ";
  const size_t at = fresh.find(gauge);
  ASSERT_NE(at, std::string::npos) << fresh;
  const double age = std::stod(fresh.substr(at + gauge.size()));
  EXPECT_GE(age, 0.0);
  EXPECT_LT(age, 5.0);
  EXPECT_NE(metrics_of(2).find("\nloyalty_standby_lookups_age_seconds -1\n"), std::string::npos);

  // The primary's own answer is not a copy's.
  auto from_primary = (*primary)->Call(testing::WireLookup("lookup-card"));
  ASSERT_TRUE(from_primary.ok() && from_primary->has_profile());
  EXPECT_FALSE(from_primary->profile().has_replica());
  EXPECT_EQ(from_primary->profile().version(), at_first->version());

  // The next sale shows on the standby, read at a later batch.
  const int64_t second = sell("standby-lookup-2", 6'789);
  ASSERT_GT(second, first);
  const auto at_second = standby_shows(second);
  ASSERT_TRUE(at_second.has_value()) << group.Explain();
  EXPECT_GT(at_second->replica().applied_seq(), r1.applied_seq());
  EXPECT_GT(at_second->version(), at_first->version());

  // Nobody's card: the copy says so, as the primary would.
  auto unknown = (*standby)->Call(testing::WireLookup("nobodys-card"));
  ASSERT_TRUE(unknown.ok() && unknown->has_error());
  EXPECT_EQ(unknown->error().code(), v1::UNKNOWN_CARD);
  // A sale on the standby: sent to the primary.
  v1::Request sale = testing::WirePurchase("on-the-standby", "lookup-card", 100);
  sale.mutable_purchase()->set_event_time_ms(testing::WallClockMs());
  auto refused = (*standby)->Call(sale);
  ASSERT_TRUE(refused.ok() && refused->has_error());
  EXPECT_EQ(refused->error().code(), v1::NOT_PRIMARY);
  EXPECT_EQ(refused->error().primary(), nodes[0].listen);
  // A standby without standby_lookups sends lookups to the primary too.
  auto redirected = (*plain)->Call(testing::WireLookup("lookup-card"));
  ASSERT_TRUE(redirected.ok() && redirected->has_error());
  EXPECT_EQ(redirected->error().code(), v1::NOT_PRIMARY);

  // The standby takes over: it answers from its store, as a primary.
  primary->reset();
  ASSERT_EQ(nodes[0].process->StopWith(SIGKILL), 128 + SIGKILL);
  ASSERT_TRUE(testing::WaitFor([&] { return group.Primary() > 0; }, 15s)) << group.Explain();
  net::FailoverClient till(group.Addresses(), testing::ClientOptionsFor("ops-test", 2000));
  std::optional<v1::Reply> after;
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        auto reply = till.Call(testing::WireLookup("lookup-card"), 5s);
        if (!reply.ok() || !reply->has_profile() || reply->profile().has_replica()) return false;
        after = *reply;
        return true;
      },
      15s))
      << group.Explain();
  EXPECT_EQ(after->profile().balances().balance(), second);
  const int now_primary = group.Primary();
  ASSERT_GT(now_primary, 0);
  const size_t other = now_primary == 1 ? 2 : 1;
  EXPECT_EQ(nodes[other].process->StopWith(SIGTERM), 0);
  EXPECT_EQ(nodes[static_cast<size_t>(now_primary)].process->StopWith(SIGTERM), 0);
}

}  // namespace
}  // namespace loyalty
