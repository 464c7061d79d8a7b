// loyaltyd end to end: the real binary on 127.0.0.1 port 0, real RocksDB in
// a temp dir, real TCP. The story of the foundation issue's "Done when".
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "adapters/net/client.h"
#include "tests/support/http_client.h"
#include "tests/support/pki.h"
#include "tests/support/requests.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace loyalty {
namespace {

using testing::Http;
using testing::RunCli;
using testing::ServerProcess;
using testing::TempDir;

v1::Request Purchase(const std::string& txn, const std::string& card, int64_t minor) {
  return testing::WirePurchase(txn, card, minor, testing::WallClockMs());
}
v1::Request Lookup(const std::string& card) { return testing::WireLookup(card); }

std::unique_ptr<net::Client> Connect(const ServerProcess& server) {
  auto c = testing::ConnectAs(server.address());
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? std::move(*c) : nullptr;
}

TEST(LoyaltydTest, EarnsReplaysRefusesADifferentPayloadAndRemembersAfterRestart) {
  TempDir dir;
  std::string first_decision;
  {
    ServerProcess server(dir.Sub("db"), {"--rules", EXAMPLE_RULES_PATH});
    ASSERT_TRUE(server.ok()) << server.Stderr();
    auto c = Connect(server);

    auto first = c->Call(Purchase("T-1", "4242", 1234));
    ASSERT_TRUE(first.ok());
    ASSERT_TRUE(first->has_decision()) << first->DebugString();
    EXPECT_EQ(first->decision().outcome(), v1::APPLIED);
    EXPECT_EQ(first->decision().points_earned(), 12);
    EXPECT_EQ(first->decision().balances().balance(), 12);
    first_decision = first->decision().SerializeAsString();

    auto again = c->Call(Purchase("T-1", "4242", 1234));
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->decision().SerializeAsString(), first_decision);  // byte for byte
    EXPECT_NE(again->request_id(), first->request_id());

    auto other = c->Call(Purchase("T-1", "4242", 9999));
    ASSERT_TRUE(other.ok());
    EXPECT_EQ(other->error().code(), v1::DUPLICATE_DIFFERENT_PAYLOAD);
    EXPECT_EQ(other->error().field(), "transaction_id");

    auto profile = c->Call(Lookup("4242"));
    ASSERT_TRUE(profile.ok());
    EXPECT_EQ(profile->profile().balances().balance(), 12);
    EXPECT_EQ(server.StopWith(SIGTERM), 0) << server.Stderr();
  }
  ServerProcess server(dir.Sub("db"), {"--rules", EXAMPLE_RULES_PATH});
  ASSERT_TRUE(server.ok()) << server.Stderr();
  auto c = Connect(server);
  auto profile = c->Call(Lookup("4242"));
  ASSERT_TRUE(profile.ok());
  EXPECT_EQ(profile->profile().balances().balance(), 12);
  auto replay = c->Call(Purchase("T-1", "4242", 1234));  // a retry after the restart
  ASSERT_TRUE(replay.ok());
  EXPECT_EQ(replay->decision().SerializeAsString(), first_decision);
  EXPECT_TRUE(replay->replayed());
}

// The same transaction id sent with two cards at once (two shards): at most
// one is applied; the other is refused or asked to retry, never both applied.
TEST(LoyaltydTest, OneTransactionIdIsAppliedOnceEvenFromTwoCardsAtOnce) {
  TempDir dir;
  ServerProcess server(dir.Sub("db"));
  ASSERT_TRUE(server.ok()) << server.Stderr();
  auto a = Connect(server);
  auto b = Connect(server);
  int both_applied = 0;
  for (int i = 0; i < 3000; ++i) {
    const std::string txn = "R-" + std::to_string(i);
    v1::Request x = Purchase(txn, "X-" + std::to_string(i), 1000);
    v1::Request y = Purchase(txn, "Y-" + std::to_string(i), 1000);
    x.set_request_id(1);
    y.set_request_id(1);
    ASSERT_TRUE(a->Send(x).ok());
    ASSERT_TRUE(b->Send(y).ok());
    auto rx = a->Receive();
    auto ry = b->Receive();
    ASSERT_TRUE(rx.ok() && ry.ok());
    const bool x_applied = rx->has_decision() && rx->decision().outcome() == v1::APPLIED;
    const bool y_applied = ry->has_decision() && ry->decision().outcome() == v1::APPLIED;
    if (x_applied && y_applied) ++both_applied;
  }
  EXPECT_EQ(both_applied, 0);
}

TEST(LoyaltydTest, WhatWasAcknowledgedSurvivesKillNine) {
  TempDir dir;
  int64_t acknowledged = 0;
  {
    ServerProcess server(dir.Sub("db"));
    ASSERT_TRUE(server.ok()) << server.Stderr();
    auto c = Connect(server);
    for (int i = 0; i < 50; ++i) {
      auto r = c->Call(Purchase("K-" + std::to_string(i), "card-k", 1000 + i));
      ASSERT_TRUE(r.ok());
      acknowledged += r->decision().points_earned();
    }
    EXPECT_EQ(server.StopWith(SIGKILL), 128 + SIGKILL);
  }
  ServerProcess server(dir.Sub("db"));
  ASSERT_TRUE(server.ok()) << server.Stderr();
  auto profile = Connect(server)->Call(Lookup("card-k"));
  ASSERT_TRUE(profile.ok());
  EXPECT_EQ(profile->profile().balances().balance(), acknowledged);
  EXPECT_EQ(acknowledged, 500);
}

TEST(LoyaltydTest, SigtermAnswersEveryAcceptedRequestAndExitsZero) {
  TempDir dir;
  ServerProcess server(dir.Sub("db"));
  ASSERT_TRUE(server.ok()) << server.Stderr();
  auto c = Connect(server);
  constexpr int kSent = 200;
  for (int i = 0; i < kSent; ++i) {
    v1::Request r = Purchase("D-" + std::to_string(i), "card-" + std::to_string(i % 7), 500);
    r.set_request_id(static_cast<uint64_t>(i + 1));
    ASSERT_TRUE(c->Send(r).ok());
  }
  auto first = c->Receive();  // at least one is in the engine
  ASSERT_TRUE(first.ok());
  ::kill(server.pid(), SIGTERM);
  int answered = 1;
  while (c->Receive().ok()) ++answered;  // the rest, until the server closes
  EXPECT_EQ(server.StopWith(SIGTERM), 0) << server.Stderr();
  EXPECT_GE(answered, 1);
  EXPECT_LE(answered, kSent);
  EXPECT_NE(server.Stderr().find("draining"), std::string::npos);
}

// Type=notify: READY=1 once serving, STOPPING=1 when draining begins.
TEST(LoyaltydTest, TellsSystemdWhenItIsReadyAndWhenItStops) {
  TempDir dir;
  const std::string path = dir.Sub("notify.sock");
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  auto next = [&] {
    char buf[256];
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string("(nothing)");
  };
  ServerProcess server({LOYALTYD_PATH, "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0",
                        "--data-dir", dir.Sub("db")},
                       {"NOTIFY_SOCKET=" + path}, dir.Sub("notify.stderr"));
  ASSERT_TRUE(server.ok()) << server.Stderr();
  EXPECT_EQ(next(), "READY=1");
  ::kill(server.pid(), SIGTERM);
  EXPECT_EQ(next(), "STOPPING=1");
  EXPECT_EQ(server.StopWith(SIGTERM), 0);
  ::close(fd);
}

TEST(LoyaltydTest, StartupFailsWithAClearMessage) {
  TempDir dir;
  ServerProcess bad_rules(dir.Sub("db"), {"--rules", dir.Sub("missing.yaml")});
  EXPECT_FALSE(bad_rules.ok());
  EXPECT_EQ(bad_rules.StopWith(SIGTERM), 1);
  EXPECT_NE(bad_rules.Stderr().find("missing.yaml: cannot be read"), std::string::npos)
      << bad_rules.Stderr();
}

// The README's quick start: `tools/dev.sh run` builds (nothing to do here),
// says how to send a first purchase, and serves.
TEST(DevShTest, RunStartsTheServerAndSaysHowToSendAFirstPurchase) {
  TempDir dir;
  ServerProcess server(
      {"/bin/bash", std::string(SOURCE_DIR) + "/tools/dev.sh", "run"},
      {"LOYALTY_LISTEN=127.0.0.1:0", "LOYALTY_ADMIN_LISTEN=127.0.0.1:0",
       "LOYALTY_DATA_DIR=" + dir.Sub("var"), "BUILD_DIR=" + std::string(BUILD_DIR)},
      dir.Sub("dev-sh.stderr"));
  ASSERT_TRUE(server.ok()) << server.banner() << server.Stderr();
  EXPECT_NE(server.banner().find("loyalty --server"), std::string::npos) << server.banner();
  EXPECT_NE(server.banner().find("export LOYALTY_CA="), std::string::npos) << server.banner();
  // The admin API is where loyaltyd really put it (here a free port), never a
  // fixed 7071 the banner made up.
  if (server.admin_port() != 7071) {
    EXPECT_EQ(server.banner().find("127.0.0.1:7071"), std::string::npos) << server.banner();
  }
  EXPECT_NE(server.banner().find("is on the port loyaltyd\nprints below (\"loyaltyd admin on"),
            std::string::npos)
      << server.banner();
  ASSERT_NE(server.admin_port(), 0);
  EXPECT_EQ(Http(server.admin_port(), "GET", "/readyz").status, 200);
  // The development CA and register credential made on first run, as printed.
  const std::string var = dir.Sub("var");
  auto bought =
      RunCli({"--server", server.address(), "--ca", var + "/tls/ca.pem", "--credential",
              var + "/credentials/S1-R1.key", "--json", "purchase", "--txn", "T-1", "--store", "S1",
              "--card", "4242", "--amount", "12.34", "--currency", "EUR"});
  ASSERT_EQ(bought.exit_code, 0) << bought.out;
  EXPECT_EQ(nlohmann::json::parse(bought.out)["decision"]["points_earned"], 12);
  // The console's tokens, one per role, made on first run, as printed.
  EXPECT_NE(server.banner().find("The web console is on the admin API's address"),
            std::string::npos);
  std::ifstream config(var + "/loyaltyd.yaml");
  const std::string text((std::istreambuf_iterator<char>(config)), {});
  const std::size_t at = text.find("name: operator, role: admin, token: ");
  ASSERT_NE(at, std::string::npos) << text;
  const std::string token = text.substr(at + 36, 48);
  EXPECT_EQ(std::filesystem::status(var + "/loyaltyd.yaml").permissions() &
                std::filesystem::perms::others_read,
            std::filesystem::perms::none);
  auto signed_in = Http(server.admin_port(), "POST", "/v1/session", "",
                        nlohmann::json({{"token", token}}).dump());
  EXPECT_EQ(signed_in.status, 200) << signed_in.body;
  EXPECT_EQ(server.StopWith(SIGTERM), 0) << server.Stderr();
}

TEST(CliTest, CheckFindsAConsistentDatabaseAfterSalesAndReturns) {
  TempDir dir;
  {
    ServerProcess server(dir.Sub("db"));
    ASSERT_TRUE(server.ok()) << server.Stderr();
    const std::string s = server.address();
    ASSERT_EQ(RunCli({"--server", s, "purchase", "--txn", "T-1", "--store", "S1", "--card", "C1",
                      "--line", "A,x,2,10.00"})
                  .exit_code,
              0);
    ASSERT_EQ(RunCli({"--server", s, "return", "--txn", "R-1", "--original", "T-1", "--store", "S1",
                      "--card", "C1", "--line", "A,x,1,10.00"})
                  .exit_code,
              0);
    // A running server holds the database: check says so instead of guessing.
    auto busy = RunCli({"check", "--data-dir", dir.Sub("db")});
    EXPECT_EQ(busy.exit_code, 2);
    EXPECT_EQ(server.StopWith(SIGTERM), 0);
  }
  auto checked = RunCli({"--json", "check", "--data-dir", dir.Sub("db")});
  ASSERT_EQ(checked.exit_code, 0) << checked.out;
  auto j = nlohmann::json::parse(checked.out);
  EXPECT_EQ(j["customers"], 1);
  EXPECT_EQ(j["ledger_entries"], 2);
  EXPECT_EQ(j["points_outstanding"], 10);
  EXPECT_EQ(j["consistent"], true);
  EXPECT_EQ(RunCli({"check", "--data-dir", dir.Sub("nothing-here")}).exit_code, 2);
}

TEST(CliTest, RulesValidateNamesEveryMistakeAndExitsNonZero) {
  TempDir dir;
  const std::string bad = dir.Sub("bad.yaml");
  std::ofstream(bad) << "program:\n  currency: EUX\n  rounding: flor\n";
  auto r = RunCli({"rules", "validate", EXAMPLE_RULES_PATH, bad});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("rules.example.yaml: valid (rule set 'example-program' version 1, EUR)"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(bad + ":2:13: program.currency: 'EUX' is not an ISO 4217 code"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(bad + ":3:13: program.rounding"), std::string::npos) << r.out;
  EXPECT_EQ(RunCli({"rules", "validate", EXAMPLE_RULES_PATH}).exit_code, 0);
}

TEST(CliTest, PurchaseLookupAndExitCodesAsTheReadmeShows) {
  TempDir dir;
  ServerProcess server(dir.Sub("db"), {"--rules", EXAMPLE_RULES_PATH});
  ASSERT_TRUE(server.ok()) << server.Stderr();
  const std::string s = server.address();

  auto bought = RunCli({"--server", s, "--json", "purchase", "--txn", "T-1", "--store", "S1",
                        "--card", "4242", "--amount", "12.34", "--currency", "EUR"});
  ASSERT_EQ(bought.exit_code, 0) << bought.out;
  auto j = nlohmann::json::parse(bought.out);
  EXPECT_EQ(j["decision"]["points_earned"], 12);
  EXPECT_EQ(j["decision"]["outcome"], "applied");

  // Re-running the same command (a new event time) is the same sale.
  auto again = RunCli({"--server", s, "--json", "purchase", "--txn", "T-1", "--store", "S1",
                       "--card", "4242", "--amount", "12.34", "--currency", "EUR"});
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_EQ(nlohmann::json::parse(again.out)["decision"], j["decision"]);
  auto again_text = RunCli({"--server", s, "purchase", "--txn", "T-1", "--store", "S1", "--card",
                            "4242", "--amount", "12.34", "--currency", "EUR"});
  EXPECT_EQ(again_text.out.rfind("already applied (a retry: nothing changed now): applied: +12", 0),
            0u)
      << again_text.out;

  auto lines = RunCli({"--server", s, "--json", "purchase", "--txn", "T-2", "--store", "S1",
                       "--card", "4242", "--line", "SHOE,shoes,1,80.00", "--line",
                       "GC,gift-cards,1,50.00", "--currency", "EUR"});
  ASSERT_EQ(lines.exit_code, 0) << lines.out;
  EXPECT_EQ(nlohmann::json::parse(lines.out)["decision"]["points_earned"],
            80);  // gift cards excluded

  auto returned = RunCli({"--server", s, "--json", "return", "--txn", "RT-1", "--original", "T-2",
                          "--store", "S1", "--card", "4242", "--line", "SHOE,shoes,1,80.00"});
  ASSERT_EQ(returned.exit_code, 0) << returned.out;
  EXPECT_EQ(nlohmann::json::parse(returned.out)["decision"]["points_reversed"], 80);

  auto looked = RunCli({"--server", s, "--json", "lookup", "--card", "4242"});
  ASSERT_EQ(looked.exit_code, 0);
  auto p = nlohmann::json::parse(looked.out)["profile"];
  EXPECT_EQ(p["balance"], 12);
  EXPECT_EQ(p["spendable"], 0);  // the example program holds points 14 days
  EXPECT_EQ(p["tier"], "member");

  auto text = RunCli({"--server", s, "lookup", "--card", "4242"});
  EXPECT_NE(text.out.find("balance 12 (spendable 0, pending 12)"), std::string::npos) << text.out;

  auto unknown = RunCli({"--server", s, "lookup", "--card", "nobody"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.out.find("UNKNOWN_CARD"), std::string::npos);

  auto usage = RunCli({"--server", s, "purchase", "--txn", "T-3"});
  EXPECT_EQ(usage.exit_code, 2);  // bad usage, as the README says
  auto down = RunCli({"--server", "127.0.0.1:1", "lookup", "--card", "4242"});
  EXPECT_EQ(down.exit_code, 3);
}

}  // namespace
}  // namespace loyalty
