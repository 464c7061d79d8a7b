// Events out (issue 15), end to end: a real loyaltyd stages each event in the
// batch of the change that caused it and POSTs it, signed, to a webhook
// receiver in this test on 127.0.0.1; through an outage (500s, then
// recovery) and a kill -9 of loyaltyd, the receiver ends up with every event
// exactly once after de-duplication by id, in order per customer, each
// request's signature valid; a receiver that stays down fills the dead
// letters.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <csignal>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "adapters/net/verifier.h"
#include "adapters/redis/connection.h"
#include "adapters/rocksdb/store.h"
#include "tests/adapters/redis/redis_server.h"
#include "tests/support/http_client.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait_for.h"
#include "tools/bench/webhook_receiver.h"

namespace loyalty::testing {
namespace {

using namespace std::chrono_literals;
using Json = nlohmann::json;

constexpr const char* kSecret = "5f2b9c0e7a4d4e1f8b3c6a9d2e7f1a0b";
constexpr const char* kViewer = "viewer-secret-0123456789";
constexpr const char* kCashier = "cashier-secret-0123456789";
constexpr const char* kAdmin = "admin-secret-0123456789ab";

class OutboxTest : public ::testing::Test {
 protected:
  std::string Config(int max_tries, const std::string& more = "") {
    const std::string secret = dir_.Sub("webhook.secret");
    std::ofstream(secret) << kSecret << "\n";
    ::chmod(secret.c_str(), 0600);
    const std::string config = dir_.Sub("loyaltyd.yaml");
    std::ofstream(config) << "webhook_url: " << receiver_.url() << "\n"
                          << "webhook_secret_file: " << secret << "\n"
                          << "webhook_events: all\n"
                          << "webhook_max_tries: " << max_tries << "\n"
                          << "admin_tokens:\n"
                          << "  - { name: vera, role: viewer, token: " << kViewer << " }\n"
                          << "  - { name: carl, role: cashier, token: " << kCashier << " }\n"
                          << "  - { name: ada, role: admin, token: " << kAdmin << " }\n"
                          << more;
    ::chmod(config.c_str(), 0600);
    return config;
  }
  int Purchase(const ServerProcess& server, const std::string& txn, const std::string& card,
               const std::string& amount) {
    return RunCli({"--server", server.address(), "purchase", "--txn", txn, "--store", "S1",
                   "--card", card, "--amount", amount})
        .exit_code;
  }
  // Every event the receiver took (answered 2xx), by id, in arrival order.
  std::vector<Json> Taken() const {
    std::vector<Json> events;
    for (const ReceivedRequest& r : receiver_.requests()) {
      if (r.answered < 200 || r.answered > 299) continue;
      for (const Json& e : Json::parse(r.body)) events.push_back(e);
    }
    return events;
  }
  std::set<std::string> TakenIds() const {
    std::set<std::string> ids;
    for (const Json& e : Taken()) ids.insert(e["id"].get<std::string>());
    return ids;
  }
  // What the store says must have gone out: a customer's enrolment and
  // every ledger entry.
  std::set<std::string> Expected(const std::string& data) const {
    StoreOptions options;
    options.path = data;
    auto store = Store::Open(options);
    EXPECT_TRUE(store.ok()) << store.status().message();
    std::set<std::string> ids;
    if (!store.ok()) return ids;
    Status read = (*store)->ForEachCustomer([&](const CustomerState& s) {
      ids.insert("enrolled:" + s.customer_id);
      return Status::Ok();
    });
    EXPECT_TRUE(read.ok()) << read.message();
    read = (*store)->ForEachLedgerEntry([&](const LedgerEntry& e) {
      ids.insert("ledger:" + e.customer_id + ":" + std::to_string(e.seq));
      return Status::Ok();
    });
    EXPECT_TRUE(read.ok()) << read.message();
    return ids;
  }

  TempDir dir_;
  WebhookReceiver receiver_;
};

TEST_F(OutboxTest, EveryEventArrivesOnceInOrderAndSignedAcrossAnOutageAndAKill) {
  const std::string data = dir_.Sub("db");
  const std::string config = Config(1'000);
  receiver_.Answer(500);  // the CRM is down when the day starts
  auto server = std::make_unique<ServerProcess>(data, std::vector<std::string>{"--config", config});
  ASSERT_TRUE(server->ok()) << server->Stderr();
  int txn = 0;
  for (const char* card : {"4000000000000001", "4000000000000002", "4000000000000003",
                           "4000000000000001", "4000000000000002", "4000000000000001"}) {
    ASSERT_EQ(Purchase(*server, "T-" + std::to_string(++txn), card, "25.00"), 0);
  }
  // Sales are answered while every delivery fails, and retried.
  ASSERT_TRUE(WaitFor([&] { return receiver_.requests().size() >= 2; }, 30s)) << server->Stderr();
  EXPECT_TRUE(TakenIds().empty());
  receiver_.Answer(200);
  ASSERT_TRUE(WaitFor([&] { return TakenIds().size() >= 9; }, 60s))  // 3 enrolments, 6 earnings
      << TakenIds().size() << " events\n"
      << server->Stderr();
  // More sales, and the engine is killed while it may be delivering them.
  for (const char* card : {"4000000000000003", "4000000000000004", "4000000000000002"}) {
    ASSERT_EQ(Purchase(*server, "T-" + std::to_string(++txn), card, "40.00"), 0);
  }
  ASSERT_EQ(server->StopWith(SIGKILL), 128 + SIGKILL);
  server = std::make_unique<ServerProcess>(data, std::vector<std::string>{"--config", config});
  ASSERT_TRUE(server->ok()) << server->Stderr();
  ASSERT_TRUE(WaitFor([&] { return TakenIds().size() >= 13; }, 60s))
      << TakenIds().size() << " events\n"
      << server->Stderr();
  // The operator sees it: nothing waiting (what this start delivered may be
  // nothing: the kill may have come after the last delivery).
  ASSERT_TRUE(WaitFor(
      [&] {
        return Http(server->admin_port(), "GET", "/metrics")
                   .body.find("\nloyalty_outbox_backlog 0\n") != std::string::npos;
      },
      30s))
      << Http(server->admin_port(), "GET", "/metrics").body;
  ASSERT_EQ(server->StopWith(SIGTERM), 0) << server->Stderr();

  // Exactly the events the store's changes call for, each once by id.
  // Lifecycle moves are told too (a second purchase makes a tester a
  // buyer): the store keeps no trace of them to count, so they are set apart.
  std::set<std::string> taken, moves;
  for (const std::string& id : TakenIds())
    (id.rfind("lifecycle:", 0) == 0 ? moves : taken).insert(id);
  EXPECT_EQ(taken, Expected(data));
  EXPECT_FALSE(moves.empty());
  // In order per customer: each event seen for the first time comes after
  // every earlier one of that customer (a redelivery after the kill repeats
  // ids already seen, never a new one out of order).
  std::map<std::string, int64_t> last_seq;
  std::set<std::string> seen;
  for (const Json& e : Taken()) {
    EXPECT_EQ(e["specversion"], "1.0");
    if (!seen.insert(e["id"].get<std::string>()).second) continue;
    if (!e["data"].contains("ledger_seq")) continue;
    const std::string who = e["subject"];
    const int64_t seq = e["data"]["ledger_seq"];
    EXPECT_GT(seq, last_seq[who]) << e;
    last_seq[who] = seq;
  }
  // Every request signed with the shared secret over its own body.
  for (const ReceivedRequest& r : receiver_.requests()) {
    const std::string sig = r.headers.at("loyalty-signature");
    const std::size_t comma = sig.find(",v1=");
    ASSERT_EQ(sig.rfind("t=", 0), 0u) << sig;
    ASSERT_NE(comma, std::string::npos) << sig;
    const std::string t = sig.substr(2, comma - 2);
    EXPECT_EQ(sig.substr(comma + 4), net::HmacSha256Hex(kSecret, t + "." + r.body));
    EXPECT_EQ(r.headers.at("content-type"), "application/cloudevents-batch+json");
    EXPECT_EQ(r.target, "/hook");
  }
}

TEST_F(OutboxTest, AReceiverThatStaysDownFillsTheDeadLettersAndRedeliveryDeliversThem) {
  const std::string data = dir_.Sub("db");
  receiver_.Answer(503);
  ServerProcess server(data, {"--config", Config(2)});
  ASSERT_TRUE(server.ok()) << server.Stderr();
  ASSERT_EQ(Purchase(server, "T-1", "4000000000000001", "10.00"), 0);
  auto out = [&](const char* token) {
    return Http(server.admin_port(), "GET", "/v1/events/out", token);
  };
  // Two tries, then the batch (enrolled, earned) is given up on.
  ASSERT_TRUE(WaitFor(
      [&] {
        const auto r = out(kViewer);
        return r.status == 200 && Json::parse(r.body)["dead_letters"].size() == 2;
      },
      30s))
      << out(kViewer).body << server.Stderr();
  const Json state = Json::parse(out(kViewer).body);
  EXPECT_EQ(state["configured"], true);
  EXPECT_EQ(state["backlog"], 0);
  const Json& first = state["dead_letters"][0];
  EXPECT_EQ(first["id"], "enrolled:4000000000000001");
  EXPECT_EQ(first["type"], "loyalty.customer.enrolled");
  EXPECT_EQ(first["tries"], 2);
  EXPECT_NE(first["error"].get<std::string>().find("HTTP 503"), std::string::npos) << first;
  EXPECT_EQ(first["event"]["subject"], "4000000000000001");
  EXPECT_EQ(out(kCashier).status, 403);
  EXPECT_EQ(Http(server.admin_port(), "POST", "/v1/events/out/redeliver", kViewer).status, 403);
  EXPECT_TRUE(TakenIds().empty());
  // What an operator reads on the command line.
  const CliResult listed =
      RunCli({"events", "dead-letters", "--admin", server.admin_address(), "--token", kViewer});
  EXPECT_EQ(listed.exit_code, 0);
  EXPECT_NE(listed.out.find("loyalty.customer.enrolled  enrolled:4000000000000001  2 tries  "),
            std::string::npos)
      << listed.out;
  EXPECT_NE(listed.out.find("HTTP 503"), std::string::npos) << listed.out;
  const CliResult status =
      RunCli({"events", "status", "--admin", server.admin_address(), "--token", kViewer});
  EXPECT_NE(status.out.find("0 waiting, 0 delivered since start"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("2 dead letters"), std::string::npos) << status.out;
  // The CRM is back: an admin redelivers, and the events arrive.
  receiver_.Answer(200);
  const CliResult again =
      RunCli({"events", "replay", "--admin", server.admin_address(), "--token", kAdmin});
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_EQ(again.out, "redelivered 2 dead letters\n");
  ASSERT_TRUE(WaitFor([&] { return TakenIds().size() == 2; }, 30s)) << server.Stderr();
  EXPECT_EQ(TakenIds(),
            (std::set<std::string>{"enrolled:4000000000000001", "ledger:4000000000000001:1"}));
  EXPECT_TRUE(Json::parse(out(kViewer).body)["dead_letters"].empty());
  const auto audit = Http(server.admin_port(), "GET", "/v1/audit?action=events.", kViewer);
  EXPECT_NE(audit.body.find("events.redeliver"), std::string::npos) << audit.body;
  ASSERT_EQ(server.StopWith(SIGTERM), 0) << server.Stderr();
}

// In-house consumers read the same events from a Redis stream (XADD, each
// entry's fields: id, type, subject, event).
TEST_F(OutboxTest, TheRedisStreamHoldsTheSameEvents) {
  RedisServer redis;
  ASSERT_TRUE(redis.ok()) << redis.error();
  ServerProcess server(dir_.Sub("db"), {"--config", Config(1'000, "redis: " + redis.address() +
                                                                      "\nevents_redis_stream: "
                                                                      "crm:events\n")});
  ASSERT_TRUE(server.ok()) << server.Stderr();
  int txn = 0;
  for (const char* card : {"4000000000000001", "4000000000000002", "4000000000000001"}) {
    ASSERT_EQ(Purchase(server, "T-" + std::to_string(++txn), card, "25.00"), 0);
  }
  ASSERT_TRUE(WaitFor([&] { return TakenIds().size() >= 5; }, 30s)) << server.Stderr();
  auto c = redis::Connection::Open(redis.endpoint(), 1'000, 1'000);
  ASSERT_TRUE(c.ok());
  // The sinks take a batch one after the other: the stream may get it just
  // after the webhook did.
  ASSERT_TRUE(WaitFor(
      [&] {
        (*c)->Append({"XLEN", "crm:events"});
        auto n = (*c)->Read();
        return n.ok() && n->integer >= static_cast<int64_t>(TakenIds().size());
      },
      30s));
  (*c)->Append({"XRANGE", "crm:events", "-", "+"});
  auto range = (*c)->Read();
  ASSERT_TRUE(range.ok());
  std::map<std::string, std::string> streamed;  // id -> event
  for (const redis::Reply& entry : range->elements) {
    const auto& fields = entry.elements.at(1).elements;
    std::map<std::string, std::string> f;
    for (std::size_t i = 0; i + 1 < fields.size(); i += 2) f[fields[i].str] = fields[i + 1].str;
    const Json event = Json::parse(f.at("event"));
    EXPECT_EQ(f.at("id"), event["id"]);
    EXPECT_EQ(f.at("type"), event["type"]);
    EXPECT_EQ(f.at("subject"), event["subject"]);
    streamed[f.at("id")] = f.at("event");
  }
  std::map<std::string, std::string> posted;
  for (const Json& e : Taken()) posted[e["id"].get<std::string>()] = e.dump();
  ASSERT_EQ(streamed.size(), posted.size());
  for (const auto& [id, event] : streamed) {
    ASSERT_EQ(posted.count(id), 1u) << id;
    EXPECT_EQ(Json::parse(event), Json::parse(posted[id])) << id;
  }
  // What an in-house developer watches on the command line.
  const CliResult tail = RunCli({"events", "tail", "--redis", redis.address(), "--stream",
                                 "crm:events", "--from-start", "--count", "2"});
  EXPECT_EQ(tail.exit_code, 0);
  EXPECT_NE(tail.out.find("  loyalty.customer.enrolled  4000000000000001  "
                          "enrolled:4000000000000001\n"),
            std::string::npos)
      << tail.out;
  EXPECT_NE(tail.out.find("  loyalty.points.earned  4000000000000001  ledger:4000000000000001:1\n"),
            std::string::npos)
      << tail.out;
  ASSERT_EQ(server.StopWith(SIGTERM), 0) << server.Stderr();
  // Started again with everything delivered: nothing is said to wait.
  ServerProcess again(dir_.Sub("db"), {"--config", Config(1'000, "redis: " + redis.address() +
                                                                     "\nevents_redis_stream: "
                                                                     "crm:events\n")});
  ASSERT_TRUE(again.ok()) << again.Stderr();
  ASSERT_TRUE(WaitFor(
      [&] {
        return Http(again.admin_port(), "GET", "/metrics")
                   .body.find("\nloyalty_outbox_backlog 0\n") != std::string::npos;
      },
      10s))
      << Http(again.admin_port(), "GET", "/metrics").body;
  ASSERT_EQ(again.StopWith(SIGTERM), 0) << again.Stderr();
}

// Consent (issue 15): a customer who said no earns as anyone but gets no
// offer and no marketing event; the yes given later through the admin API is
// audited, reaches the CRM as a service event, and the next sale's offer
// goes out. A detractor's answer goes out for service recovery.
TEST_F(OutboxTest, WithoutConsentNoOfferAndNoMarketingEventGoOut) {
  const std::string rules = dir_.Sub("rules.yaml");
  std::ofstream(rules) << "program: { currency: EUR, marketing_consent: required }\n"
                       << "offers:\n"
                       << "  - { id: thank-you, reward: { bonus_points: 50 } }\n";
  ServerProcess server(dir_.Sub("db"), {"--config", Config(1'000), "--rules", rules});
  ASSERT_TRUE(server.ok()) << server.Stderr();
  const std::string yes = "4000000000000001", no = "4000000000000002";
  auto cli = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--server", server.address()});
    return RunCli(args);
  };
  ASSERT_EQ(cli({"enroll", "--card", yes, "--consent", "yes"}).exit_code, 0);
  ASSERT_EQ(cli({"enroll", "--card", no, "--consent", "no"}).exit_code, 0);
  ASSERT_EQ(Purchase(server, "T-1", yes, "25.00"), 0);
  ASSERT_EQ(Purchase(server, "T-2", no, "25.00"), 0);
  const CliResult looked = cli({"lookup", "--card", no});
  EXPECT_NE(looked.out.find("marketing consent: no (no offers)"), std::string::npos) << looked.out;
  ASSERT_EQ(cli({"feedback", "--txn", "F-1", "--store", "S1", "--card", no, "--score", "3",
                 "--comment", "queue too long"})
                .exit_code,
            0);
  // 2 enrolments, 2 earnings, 1 offer issued (to the yes), 1 detractor, the
  // yes's lifecycle move (prospect to tester); none for the no.
  ASSERT_TRUE(WaitFor(
      [&] {
        const std::set<std::string> ids = TakenIds();
        return ids.count("feedback:" + no + ":F-1") > 0 &&
               ids.count("offer-issued:" + yes + ":thank-you:1") > 0 &&
               ids.count("lifecycle:" + yes + ":2") > 0;
      },
      30s))
      << TakenIds().size() << server.Stderr();
  std::map<std::string, Json> by_id;
  for (const Json& e : Taken()) by_id[e["id"].get<std::string>()] = e;
  ASSERT_EQ(by_id.count("offer-issued:" + yes + ":thank-you:1"), 1u);
  EXPECT_EQ(by_id["offer-issued:" + yes + ":thank-you:1"]["purpose"], "marketing");
  EXPECT_EQ(by_id["enrolled:" + no]["data"]["marketing_consent"], "refused");
  EXPECT_EQ(by_id["enrolled:" + no]["purpose"], "service");
  const Json& complaint = by_id["feedback:" + no + ":F-1"];
  EXPECT_EQ(complaint["type"], "loyalty.feedback.detractor");
  EXPECT_EQ(complaint["data"]["score"], 3);
  EXPECT_EQ(complaint["data"]["comment"], "queue too long");
  for (const auto& [id, e] : by_id) {
    EXPECT_FALSE(e["subject"] == no && e["purpose"] == "marketing") << e;
  }

  // The customer says yes on the web form; support records it.
  const std::string path = "/v1/customers/" + no + "/consent";
  const std::string body = R"({"transaction_id": "K-1", "marketing": true, "source": "web-form"})";
  EXPECT_EQ(Http(server.admin_port(), "POST", path, kViewer, body).status, 403);
  const auto bad = Http(server.admin_port(), "POST", path, kAdmin,
                        R"({"transaction_id": "K-1", "marketing": "yes", "source": "web-form"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("marketing must be true"), std::string::npos) << bad.body;
  const auto given = Http(server.admin_port(), "POST", path, kAdmin, body);
  ASSERT_EQ(given.status, 200) << given.body;
  const auto profile = Http(server.admin_port(), "GET", "/v1/customers/" + no, kAdmin);
  EXPECT_EQ(Json::parse(profile.body)["marketing_consent"], "granted") << profile.body;
  const auto audit = Http(server.admin_port(), "GET", "/v1/audit?action=customers.", kViewer);
  EXPECT_NE(audit.body.find("marketing=yes source=web-form"), std::string::npos) << audit.body;
  ASSERT_EQ(Purchase(server, "T-3", no, "25.00"), 0);
  ASSERT_TRUE(
      WaitFor([&] { return TakenIds().count("offer-issued:" + no + ":thank-you:1") == 1; }, 30s))
      << server.Stderr();
  by_id.clear();
  for (const Json& e : Taken()) by_id[e["id"].get<std::string>()] = e;
  const Json& changed = by_id["consent:" + no + ":K-1"];
  EXPECT_EQ(changed["type"], "loyalty.consent.changed");
  EXPECT_EQ(changed["purpose"], "service");
  EXPECT_EQ(changed["data"]["marketing_consent"], "granted");
  EXPECT_EQ(changed["data"]["was"], "refused");
  EXPECT_EQ(changed["data"]["source"], "web-form");
  ASSERT_EQ(server.StopWith(SIGTERM), 0) << server.Stderr();
}

// Expiring-points notices (issue 15) from a real loyaltyd: with
// program.expiry.notice_days, the sweep sends loyalty.points.expiring once
// per lot, across a kill -9, before the lot's expiry. The engine's clock
// follows the sales' times (--clock event), so days pass in a second.
TEST_F(OutboxTest, ExpiringPointsNoticesGoOutOncePerLot) {
  const std::string rules = dir_.Sub("rules.yaml");
  std::ofstream(rules) << "program: { currency: EUR, expiry: { policy: rolling, days: 30, "
                          "notice_days: 7 } }\n";
  const std::string data = dir_.Sub("db");
  const std::vector<std::string> args = {
      "--config", Config(1'000, "sweep_interval_ms: 100\n"), "--rules", rules, "--clock", "event"};
  auto server = std::make_unique<ServerProcess>(data, args);
  ASSERT_TRUE(server->ok()) << server->Stderr();
  constexpr int64_t kDay = 86'400'000;
  const int64_t t0 = 1'735'689'600'000;  // 2025-01-01T00:00:00Z
  auto sale = [&](const std::string& txn, const std::string& card, int64_t at) {
    return RunCli({"--server", server->address(), "purchase", "--txn", txn, "--store", "S1",
                   "--card", card, "--amount", "10.00", "--time-ms", std::to_string(at)});
  };
  auto expiring = [&](const std::string& who) {
    std::set<std::string> ids;
    for (const Json& e : Taken()) {
      if (e["type"] == "loyalty.points.expiring" && e["subject"] == who) ids.insert(e["id"]);
    }
    return ids;
  };
  const std::string a = "4000000000000001", b = "4000000000000002";
  ASSERT_EQ(sale("T-1", a, t0).exit_code, 0);
  ASSERT_EQ(sale("T-2", a, t0 + 2 * kDay).exit_code, 0);  // a second lot, two days later
  // Day 24: a's first lot (gone on day 31) has 7 days left, the second 9.
  ASSERT_EQ(sale("T-3", b, t0 + 24 * kDay).exit_code, 0);
  ASSERT_TRUE(WaitFor([&] { return expiring(a).size() == 1; }, 30s)) << server->Stderr();
  const std::string first = *expiring(a).begin();
  ASSERT_EQ(server->StopWith(SIGKILL), 128 + SIGKILL);
  server = std::make_unique<ServerProcess>(data, args);
  ASSERT_TRUE(server->ok()) << server->Stderr();
  // Day 26: the second lot's turn (7 days); day 31: the first lot expires.
  ASSERT_EQ(sale("T-4", b, t0 + 26 * kDay).exit_code, 0);
  ASSERT_TRUE(WaitFor([&] { return expiring(a).size() == 2; }, 30s)) << server->Stderr();
  ASSERT_EQ(sale("T-5", b, t0 + 31 * kDay).exit_code, 0);
  ASSERT_TRUE(WaitFor(
      [&] {
        for (const Json& e : Taken()) {
          if (e["type"] == "loyalty.points.expired" && e["subject"] == a) return true;
        }
        return false;
      },
      30s))
      << server->Stderr();
  ASSERT_EQ(server->StopWith(SIGTERM), 0) << server->Stderr();
  // Two lots, two notices, each with its own id; the first said 7 days.
  EXPECT_EQ(expiring(a).size(), 2u);
  EXPECT_EQ(expiring(b).size(), 0u);  // b's lots expire on days 54 and 56
  for (const Json& e : Taken()) {
    if (e["id"] != first) continue;
    EXPECT_EQ(e["data"]["days_left"], 7) << e;
    EXPECT_EQ(e["data"]["points"], 10) << e;
    EXPECT_EQ(e["data"]["expires_on"], "2025-02-01") << e;  // gone from that midnight
    EXPECT_EQ(e["purpose"], "service") << e;
  }
}

}  // namespace
}  // namespace loyalty::testing
