// Concurrent copies of one sale against the real loyaltyd (issue 12): a till
// that times out and resends on fresh connections, many times at once. One
// copy is applied; every copy gets the stored reply, byte for byte, never
// UNAVAILABLE (the copies wait for the first to commit).
#include <gtest/gtest.h>

#include <latch>
#include <set>
#include <thread>
#include <vector>

#include "adapters/net/client.h"
#include "tests/support/pki.h"
#include "tests/support/requests.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace loyalty {
namespace {

using testing::ServerProcess;
using testing::TempDir;

constexpr int kCopies = 50;
// One till resending on 50 connections at once: over the per-credential
// connection limit (default 16), which is not what this test is about.
const std::vector<std::string> kServerArgs = {"--connections-per-credential-max", "64"};

// The one place a test connection is made: TLS, and the Hello of the till
// that rang the sale up (store S1, register R1, as testing::WirePurchase).
std::unique_ptr<net::Client> ConnectTo(const ServerProcess& server) {
  auto c = testing::ConnectAs(server.address(), "S1-R1");
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? std::move(*c) : nullptr;
}

// Sends requests[i] on connection i, all at once (every connection is open
// before the barrier), and returns each raw reply (request id 1 on every
// connection, so equal decisions are equal bytes); empty where none came.
std::vector<std::string> SendAtOnce(const ServerProcess& server,
                                    const std::vector<v1::Request>& requests) {
  std::vector<std::unique_ptr<net::Client>> clients;
  for (std::size_t i = 0; i < requests.size(); ++i) clients.push_back(ConnectTo(server));
  std::vector<std::string> replies(requests.size());
  std::latch start(static_cast<std::ptrdiff_t>(requests.size()));
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      if (!clients[i]) return;
      v1::Request request = requests[i];
      request.set_request_id(1);
      if (!clients[i]->Send(request).ok()) return;
      auto reply = clients[i]->Receive();
      if (reply.ok()) replies[i] = reply->SerializeAsString();
    });
  }
  for (std::thread& t : threads) t.join();
  return replies;
}

v1::Reply Parse(const std::string& bytes) {
  v1::Reply reply;
  EXPECT_TRUE(reply.ParseFromString(bytes));
  return reply;
}

int64_t BalanceOf(const ServerProcess& server, const std::string& card) {
  auto c = ConnectTo(server);
  if (!c) return -1;
  auto profile = c->Call(testing::WireLookup(card));
  EXPECT_TRUE(profile.ok() && profile->has_profile());
  return profile.ok() ? profile->profile().balances().balance() : -1;
}

TEST(CopiesTest, FiftyCopiesOfOnePurchaseAreAppliedOnceAndAllGetTheStoredReply) {
  TempDir dir;
  ServerProcess server(dir.Sub("db"), kServerArgs);
  ASSERT_TRUE(server.ok()) << server.Stderr();
  // Several rounds: each is a new sale by a new card, so a round's copies
  // race both the first commit and the new customer's enrolment.
  for (int round = 0; round < 5; ++round) {
    const std::string card = "COPY-" + std::to_string(round);
    const std::vector<v1::Request> copies(
        kCopies, testing::WirePurchase("TX-COPY-" + std::to_string(round), card, 1234,
                                       testing::WallClockMs()));
    const std::vector<std::string> replies = SendAtOnce(server, copies);

    const v1::Reply first = Parse(replies[0]);
    ASSERT_TRUE(first.has_decision()) << first.DebugString();
    EXPECT_EQ(first.decision().outcome(), v1::APPLIED);
    EXPECT_EQ(first.decision().points_earned(), 12);
    int decided_now = 0;  // the copy that applied it; the others are told "replayed"
    for (int i = 0; i < kCopies; ++i) {
      const v1::Reply reply = Parse(replies[i]);
      EXPECT_NE(reply.error().code(), v1::UNAVAILABLE)
          << "copy " << i << ": " << reply.DebugString();
      EXPECT_EQ(reply.decision().SerializeAsString(), first.decision().SerializeAsString())
          << "copy " << i << ": " << reply.DebugString();
      decided_now += reply.replayed() ? 0 : 1;
    }
    EXPECT_EQ(decided_now, 1) << "round " << round;
    EXPECT_EQ(BalanceOf(server, card), 12) << "round " << round;  // applied exactly once
  }
}

// The same transaction id with two cards at once: the cards may live on two
// shards, which share the claims. One payload wins; its copies all get its
// stored reply, the other payload's copies all get DUPLICATE_DIFFERENT_PAYLOAD.
TEST(CopiesTest, CopiesFromTwoCardsAtOnceApplyOnePayloadAndRefuseTheOther) {
  TempDir dir;
  ServerProcess server(dir.Sub("db"), kServerArgs);
  ASSERT_TRUE(server.ok()) << server.Stderr();
  for (int round = 0; round < 5; ++round) {
    const std::string txn = "TX-TWO-" + std::to_string(round);
    const std::string cards[2] = {"A-" + std::to_string(round), "B-" + std::to_string(round)};
    std::vector<v1::Request> copies;
    const int64_t sold_ms = testing::WallClockMs();  // a real loyaltyd refuses old sales
    for (int i = 0; i < kCopies; ++i)
      copies.push_back(testing::WirePurchase(txn, cards[i % 2], 1000, sold_ms));
    const std::vector<std::string> replies = SendAtOnce(server, copies);

    std::set<std::string> applied[2];  // distinct applied replies, per card
    int refused[2] = {0, 0};
    for (int i = 0; i < kCopies; ++i) {
      const v1::Reply reply = Parse(replies[i]);
      ASSERT_TRUE(reply.has_decision() || reply.has_error()) << "copy " << i << " had no reply";
      EXPECT_NE(reply.error().code(), v1::UNAVAILABLE)
          << "copy " << i << ": " << reply.DebugString();
      if (reply.has_decision() && reply.decision().outcome() == v1::APPLIED) {
        applied[i % 2].insert(reply.decision().SerializeAsString());
      } else if (reply.error().code() == v1::DUPLICATE_DIFFERENT_PAYLOAD) {
        refused[i % 2] += 1;
      }
    }
    const int winner = applied[0].empty() ? 1 : 0;
    EXPECT_EQ(applied[winner].size(), 1u) << "one stored reply for every copy of the winner";
    EXPECT_TRUE(applied[1 - winner].empty()) << "both payloads applied";
    EXPECT_EQ(refused[winner], 0);
    EXPECT_EQ(refused[1 - winner], kCopies / 2);
    EXPECT_EQ(BalanceOf(server, cards[winner]), 10);
  }
}

}  // namespace
}  // namespace loyalty
