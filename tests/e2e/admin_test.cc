// The admin HTTP API end to end (issue 7): the real loyaltyd with its admin
// listener on 127.0.0.1 port 0, real RocksDB, real HTTP. Every endpoint,
// every role (with a refusal for each), the metrics families, readiness
// during startup and drain, rule versions (upload, four eyes, activate now
// and at a time, rollback, SIGHUP) and the audit log.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>
#include <utility>  // before Asio (Boost 1.74)
//
#include <boost/asio/ip/tcp.hpp>

#include "adapters/rocksdb/store.h"
#include "tests/e2e/admin_fixture.h"

namespace loyalty {
namespace {

using namespace admin_testing;

TEST_F(AdminTest, HealthReadinessAndMetricsAnswerWithoutAToken) {
  Start();
  EXPECT_EQ(Http(port_, "GET", "/healthz").status, 200);
  auto ready = Http(port_, "GET", "/readyz");
  EXPECT_EQ(ready.status, 200) << ready.body;
  EXPECT_EQ(Json(ready)["status"], "ready");
  ASSERT_EQ(Purchase("T-1", "12.34"), 0);
  ASSERT_EQ(RunCli({"--server", server_->address(), "lookup", "--card", "no-such-card"}).exit_code,
            1);
  auto metrics = Http(port_, "GET", "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.content_type.find("text/plain"), std::string::npos);
  for (const char* family :
       {"loyalty_events_total{outcome=\"applied\",type=\"purchase\"} 1",
        "loyalty_events_total{outcome=\"unknown_card\",type=\"lookup\"} 1",
        "loyalty_decision_latency_seconds_bucket{type=\"purchase\",le=",
        "loyalty_commit_group_size_count", "loyalty_commit_seconds_bucket",
        "loyalty_connections{listener=\"registers\"}", "loyalty_connections{listener=\"admin\"} 1",
        "loyalty_frames_rejected_total{reason=\"malformed\"} 0", "loyalty_rules_version 1",
        "loyalty_ready 1"}) {
    EXPECT_NE(metrics.body.find(family), std::string::npos) << family << "\n" << metrics.body;
  }
  EXPECT_EQ(metrics.body.find(kCard), std::string::npos) << "a card number is a label";
  EXPECT_EQ(metrics.body.find("loyalty_cache_up "), std::string::npos) << "no cache configured";
}

TEST_F(AdminTest, MetricsShowWhatACampaignBudgetHasLeft) {
  const std::string rules = dir_.Sub("budget.yaml");
  std::ofstream(rules)
      << "program: { currency: EUR }\n"
         "earn_rules: [{ id: spring-bonus, bonus_points: 30, budget_points: 100 }]\n";
  Start({"--rules", rules});
  ASSERT_EQ(Purchase("T-1", "5.00"), 0);
  ASSERT_EQ(Purchase("T-2", "5.00"), 0);
  const std::string metrics = Http(port_, "GET", "/metrics").body;
  EXPECT_NE(metrics.find("loyalty_budget_points_remaining{rule=\"spring-bonus\"} 40"),
            std::string::npos)
      << metrics;
}

TEST_F(AdminTest, EveryRoleDoesWhatItMayAndIsRefusedTheRest) {
  Start();
  ASSERT_EQ(Purchase("T-1", "12.34"), 0);
  const std::string customer = std::string("/v1/customers/") + kCard;

  // Without a token, or with an unknown one: 401, whatever the endpoint.
  EXPECT_EQ(Http(port_, "GET", "/v1/rulesets").status, 401);
  auto unknown = Http(port_, "GET", "/v1/rulesets", "not-a-token-at-all");
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(Json(unknown)["code"], "UNAUTHENTICATED");

  // viewer: reads everything, changes nothing.
  EXPECT_EQ(Http(port_, "GET", "/v1/rulesets", kViewer).status, 200);
  EXPECT_EQ(Http(port_, "GET", "/v1/rulesets/1", kViewer).status, 200);
  auto seen = Http(port_, "GET", customer, kViewer);
  ASSERT_EQ(seen.status, 200) << seen.body;
  EXPECT_EQ(Json(seen)["balance"], 12);
  EXPECT_EQ(Json(seen)["cards"][0], kCard);
  EXPECT_EQ(Http(port_, "GET", "/v1/audit", kViewer).status, 200);
  EXPECT_EQ(Http(port_, "GET", "/v1/reports", kViewer).status, 200);
  auto viewer_refused = Http(port_, "POST", "/v1/rulesets", kViewer, Rules("v", 2));
  EXPECT_EQ(viewer_refused.status, 403);
  EXPECT_EQ(Json(viewer_refused)["code"], "FORBIDDEN");
  EXPECT_EQ(Json(viewer_refused)["message"], "role viewer may not upload rule sets");

  // cashier: looks up, sees the card masked; nothing else.
  auto cashier = Http(port_, "GET", customer, kCashier);
  ASSERT_EQ(cashier.status, 200) << cashier.body;
  EXPECT_EQ(Json(cashier)["cards"][0], "************1234");
  EXPECT_EQ(cashier.body.find(kCard), std::string::npos);
  EXPECT_EQ(Json(cashier)["signals"]["lifecycle"], "tester");  // one purchase
  EXPECT_TRUE(Json(cashier)["greeting_hints"].is_array());
  EXPECT_TRUE(Json(cashier)["offers"].is_array());
  EXPECT_EQ(Http(port_, "GET", "/v1/customers/no-such-card", kCashier).status, 404);
  EXPECT_EQ(Http(port_, "GET", "/v1/rulesets", kCashier).status, 403);
  EXPECT_EQ(Http(port_, "GET", "/v1/audit", kCashier).status, 403);

  // editor: uploads drafts (validated), cannot activate.
  auto bad = Http(port_, "POST", "/v1/rulesets", kEditor, "program:\n  rounding: flor\n");
  ASSERT_EQ(bad.status, 422) << bad.body;
  EXPECT_EQ(Json(bad)["code"], "INVALID_RULES");
  EXPECT_EQ(Json(bad)["problems"][0]["line"], 2);
  EXPECT_EQ(Json(bad)["problems"][0]["column"], 13);
  auto draft = Http(port_, "POST", "/v1/rulesets", kEditor, Rules("double", 2));
  ASSERT_EQ(draft.status, 201) << draft.body;
  EXPECT_EQ(Json(draft)["version"], 2);
  EXPECT_EQ(Json(draft)["state"], "draft");
  EXPECT_EQ(Http(port_, "POST", "/v1/rulesets/2/activate", kEditor).status, 403);
  EXPECT_EQ(Http(port_, "GET", customer, kEditor).status, 403);

  // publishers: activate others' drafts, never their own; roll back.
  auto on = Http(port_, "POST", "/v1/rulesets/2/activate", kPub1);
  ASSERT_EQ(on.status, 200) << on.body;
  EXPECT_EQ(Json(on)["state"], "active");
  ASSERT_EQ(Purchase("T-2", "10.00"), 0);  // decided under version 2: 2 points per EUR
  EXPECT_EQ(Json(Http(port_, "GET", customer, kViewer))["balance"], 12 + 20);
  auto own = Http(port_, "POST", "/v1/rulesets", kPub1, Rules("triple", 3));
  ASSERT_EQ(own.status, 201);
  auto four_eyes = Http(port_, "POST", "/v1/rulesets/3/activate", kPub1);
  EXPECT_EQ(four_eyes.status, 403);
  EXPECT_EQ(Json(four_eyes)["code"], "OWN_DRAFT");
  EXPECT_EQ(Http(port_, "POST", "/v1/rulesets/3/activate", kPub2).status, 200);
  EXPECT_EQ(ActiveVersion(port_), 3);
  EXPECT_EQ(Http(port_, "POST", customer + "/adjust", kPub1, "{}").status, 403);  // admin only
  auto back = Http(port_, "POST", "/v1/rulesets/rollback", kPub1);
  ASSERT_EQ(back.status, 200) << back.body;
  EXPECT_EQ(Json(back)["version"], 2);
  EXPECT_EQ(ActiveVersion(port_), 2);

  // admin: everything, but a version that does not exist is still refused.
  auto missing = Http(port_, "POST", "/v1/rulesets/99/activate", kAdmin);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(Json(missing)["message"], "rule set version 99 does not exist");
  EXPECT_EQ(Http(port_, "POST", "/v1/rulesets/1/activate", kAdmin).status, 200);
  auto list = Json(Http(port_, "GET", "/v1/rulesets", kAdmin));
  EXPECT_EQ(list["active"], 1);
  ASSERT_EQ(list["versions"].size(), 3u);
  EXPECT_EQ(list["versions"][1]["state"], "retired");
  EXPECT_EQ(list["versions"][2]["author"], "pia");
  auto text = Json(Http(port_, "GET", "/v1/rulesets/3", kAdmin));
  EXPECT_EQ(text["yaml"], Rules("triple", 3));

  // The audit log: every change, newest first, who and before/after.
  auto audit = Json(Http(port_, "GET", "/v1/audit?limit=3", kViewer));
  ASSERT_EQ(audit["entries"].size(), 3u);
  EXPECT_EQ(audit["entries"][0]["action"], "rules.activate");
  EXPECT_EQ(audit["entries"][0]["who"], "ada");
  EXPECT_EQ(audit["entries"][0]["before_version"], 2);
  EXPECT_EQ(audit["entries"][0]["after_version"], 1);
  EXPECT_EQ(audit["entries"][1]["action"], "rules.rollback");
  EXPECT_EQ(audit["entries"][1]["who"], "pia");
  EXPECT_EQ(audit["entries"][1]["before_version"], 3);
  EXPECT_EQ(audit["entries"][1]["after_version"], 2);

  // Points adjusted by hand: admin only, with a reason and a retry key; in
  // the ledger (operator = the token's name) and in the audit log.
  const std::string adjust = customer + "/adjust";
  auto credit = Http(port_, "POST", adjust, kAdmin,
                     R"({"transaction_id": "ADJ-1", "points": 100, "reason": "goodwill"})");
  ASSERT_EQ(credit.status, 200) << credit.body;
  EXPECT_EQ(Json(credit)["points_earned"], 100);
  auto again = Http(port_, "POST", adjust, kAdmin,
                    R"({"transaction_id": "ADJ-1", "points": 100, "reason": "goodwill"})");
  EXPECT_EQ(again.status, 200);  // a retry: the same answer, no new points
  EXPECT_EQ(Json(Http(port_, "GET", customer, kViewer))["balance"], 12 + 20 + 100);
  auto too_much = Http(port_, "POST", adjust, kAdmin,
                       R"({"transaction_id": "ADJ-2", "points": -100000, "reason": "correction"})");
  EXPECT_EQ(too_much.status, 409) << too_much.body;
  auto no_key = Http(port_, "POST", adjust, kAdmin, R"({"points": 5, "reason": "goodwill"})");
  EXPECT_EQ(no_key.status, 400);
  EXPECT_EQ(Json(no_key)["message"], "transaction_id is missing (the retry key)");
  EXPECT_EQ(Http(port_, "POST", adjust, kCashier, "{}").status, 403);
  auto adjusted = Json(Http(port_, "GET", "/v1/audit?limit=1", kViewer))["entries"][0];
  EXPECT_EQ(adjusted["action"], "customers.adjust");
  EXPECT_EQ(adjusted["who"], "ada");
  EXPECT_EQ(adjusted["target"], "customer ************1234");
  EXPECT_EQ(adjusted["detail"], "transaction_id=ADJ-2 points=-100000 reason=correction status=409");

  // The refusals reached the log, rate-limited, with the route and no card.
  EXPECT_NE(server_->Stderr().find("admin refused GET /v1/customers/{card} by edna: 403"),
            std::string::npos)
      << server_->Stderr();
  EXPECT_EQ(server_->Stderr().find(kCard), std::string::npos) << server_->Stderr();
}

TEST_F(AdminTest, AScheduledVersionBecomesActiveAtItsTime) {
  Start();
  ASSERT_EQ(Http(port_, "POST", "/v1/rulesets", kEditor, Rules("later", 2)).status, 201);
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const std::string at = "{\"at_ms\": " + std::to_string(now_ms + 1500) + "}";
  auto scheduled = Http(port_, "POST", "/v1/rulesets/2/activate", kPub1, at);
  ASSERT_EQ(scheduled.status, 200) << scheduled.body;
  EXPECT_EQ(Json(scheduled)["state"], "scheduled");
  EXPECT_EQ(Json(scheduled)["activate_at_ms"], now_ms + 1500);
  EXPECT_EQ(Http(port_, "POST", "/v1/rulesets/2/activate", kPub1, "{\"at\": \"noon\"}").status,
            400);
  EXPECT_TRUE(Eventually([&] { return ActiveVersion(port_); }, [](int v) { return v == 2; }));
  auto audit = Json(Http(port_, "GET", "/v1/audit?limit=1", kViewer));
  EXPECT_EQ(audit["entries"][0]["who"], "pia");
  EXPECT_EQ(audit["entries"][0]["role"], "schedule");
  EXPECT_EQ(audit["entries"][0]["after_version"], 2);
}

TEST_F(AdminTest, BoundsAndMistakesAnswerWithJsonErrors) {
  Start({}, "admin_body_bytes_max: 1024\n");
  auto big = Http(port_, "POST", "/v1/rulesets", kEditor, std::string(4096, '#'));
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(Json(big)["code"], "BODY_TOO_LARGE");
  auto headers = Http(port_, "GET", "/healthz", "", "", {{"X-Padding", std::string(9000, 'x')}});
  EXPECT_EQ(headers.status, 431);
  EXPECT_EQ(Json(headers)["code"], "HEADERS_TOO_LARGE");
  auto nowhere = Http(port_, "GET", "/v2/nothing");
  EXPECT_EQ(nowhere.status, 404);
  EXPECT_EQ(Json(nowhere)["message"], "no such endpoint: /v2/nothing");
  EXPECT_EQ(Http(port_, "DELETE", "/healthz").status, 405);
  EXPECT_EQ(Http(port_, "GET", "/v1/rulesets/abc", kViewer).status, 400);
  const std::string long_card = "/v1/customers/" + std::string(65, '7');
  auto invalid = Http(port_, "GET", long_card, kViewer);
  EXPECT_EQ(invalid.status, 422);
  EXPECT_EQ(Json(invalid)["code"], "INVALID_FIELD");
  auto masked = Http(port_, "GET", long_card, kCashier);
  EXPECT_EQ(Json(masked)["message"], "the card number is not valid");
  EXPECT_EQ(Http(port_, "GET", "/healthz").status, 200);  // still serving
}

TEST_F(AdminTest, ConnectionsBeyondTheCapAreRefusedWithJson) {
  Start({}, "admin_connections_max: 2\n");
  boost::asio::io_context io;
  std::vector<boost::asio::ip::tcp::socket> idle;
  for (int i = 0; i < 2; ++i) {
    idle.emplace_back(io);
    idle.back().connect(
        {boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port_)});
  }
  // The two idle connections are counted once the server has accepted them.
  // (The probes, /healthz and /readyz, are still answered from a reserve:
  // AdminHardeningTest.ProbesAreAnsweredWhileEveryConnectionIsTaken.)
  EXPECT_TRUE(Eventually([&] { return Http(port_, "GET", "/metrics"); },
                         [](const HttpReply& r) { return r.status == 503; }));
  auto over = Http(port_, "GET", "/metrics");
  EXPECT_EQ(over.status, 503);
  EXPECT_EQ(Json(over)["code"], "OVERLOADED");
  idle.clear();  // closed: their places free up
  EXPECT_TRUE(Eventually([&] { return Http(port_, "GET", "/metrics"); },
                         [](const HttpReply& r) { return r.status == 200; }));
}

TEST_F(AdminTest, ReadinessIsFalseUntilTheStoreOpensAndDuringTheDrain) {
  // Another process holds the store (a previous loyaltyd still stopping).
  StoreOptions options;
  options.path = dir_.Sub("db");
  auto holder = Store::Open(options);
  ASSERT_TRUE(holder.ok()) << holder.status().ToString();
  server_ = std::make_unique<ServerProcess>(
      dir_.Sub("db"),
      std::vector<std::string>{"--config", WriteConfig(dir_), "--store-lock-wait-ms", "60000",
                               "--drain-delay-ms", "600000"},
      "127.0.0.1:0", /*until_admin=*/true);
  port_ = server_->admin_port();
  ASSERT_NE(port_, 0) << server_->Stderr();
  EXPECT_EQ(Http(port_, "GET", "/healthz").status, 200);
  auto starting = Http(port_, "GET", "/readyz");
  EXPECT_EQ(starting.status, 503);
  EXPECT_EQ(Json(starting)["message"], "the store is not open yet");
  EXPECT_EQ(Http(port_, "GET", "/v1/rulesets", kViewer).status, 503);
  holder->reset();  // let go of the store
  ASSERT_TRUE(server_->WaitListening()) << server_->Stderr();
  EXPECT_EQ(Http(port_, "GET", "/readyz").status, 200);

  ::kill(server_->pid(), SIGTERM);
  EXPECT_TRUE(Eventually([&] { return Http(port_, "GET", "/readyz"); },
                         [](const HttpReply& r) { return r.status == 503; }));
  EXPECT_EQ(Json(Http(port_, "GET", "/readyz"))["message"],
            "draining: finishing accepted requests before stopping");
  EXPECT_EQ(Http(port_, "GET", "/healthz").status, 200);
  EXPECT_NE(Http(port_, "GET", "/metrics").body.find("loyalty_ready 0"), std::string::npos);
  EXPECT_EQ(Purchase("T-1", "5.00"), 0);  // still serving registers while unready
  EXPECT_EQ(server_->StopWith(SIGTERM), 0) << server_->Stderr();  // a second signal: stop now
}

TEST_F(AdminTest, SighupPublishesAChangedRulesFileAsANewVersion) {
  const std::string rules = dir_.Sub("rules.yaml");
  std::ofstream(rules) << Rules("first", 1);
  Start({"--rules", rules, "--log-format", "json"});
  EXPECT_EQ(ActiveVersion(port_), 1);
  ::kill(server_->pid(), SIGHUP);  // unchanged: nothing new
  std::ofstream(rules) << Rules("second", 2);
  ::kill(server_->pid(), SIGHUP);
  ASSERT_TRUE(Eventually([&] { return ActiveVersion(port_); }, [](int v) { return v == 2; }))
      << server_->Stderr();
  auto list = Json(Http(port_, "GET", "/v1/rulesets", kViewer));
  ASSERT_EQ(list["versions"].size(), 2u);
  EXPECT_EQ(list["versions"][1]["author"], "sighup");
  // The log line says who, as a field a log pipeline can filter on.
  auto logged = [](const std::string& log) {
    std::istringstream lines(log);
    for (std::string line; std::getline(lines, line);) {
      const auto j = nlohmann::json::parse(line, nullptr, false);
      if (!j.is_discarded() && j.value("event", "") == "rules" &&
          j.value("operator", "") == "sighup" && j.value("rules_version", "") == "2") {
        return true;
      }
    }
    return false;
  };
  EXPECT_TRUE(Eventually([&] { return server_->Stderr(); }, logged)) << server_->Stderr();
  std::ofstream(rules) << "program:\n  rounding: flor\n";
  ::kill(server_->pid(), SIGHUP);
  EXPECT_TRUE(Eventually(
      [&] { return server_->Stderr(); },
      [](const std::string& e) { return e.find("rules reload refused") != std::string::npos; }));
  EXPECT_EQ(ActiveVersion(port_), 2);
  EXPECT_EQ(server_->StopWith(SIGTERM), 0);

  // A restart runs the active stored version, not the (now broken) file.
  Start({"--rules", rules});
  EXPECT_EQ(ActiveVersion(port_), 2);
  EXPECT_NE(server_->Stderr().find("differs from it and is not in force"), std::string::npos);
}

TEST_F(AdminTest, TheRulesCommandsPublishThroughTheAdminApi) {
  Start();
  const std::string admin = server_->admin_address();
  const std::string file = dir_.Sub("new.yaml");
  std::ofstream(file) << Rules("spring", 2);
  auto cli = [&](std::vector<std::string> args, const char* token) {
    args.insert(args.begin(), "rules");
    args.insert(args.end(), {"--admin", admin, "--token", token});
    return RunCli(args);
  };
  auto up = cli({"upload", file}, kEditor);
  EXPECT_EQ(up.exit_code, 0) << up.out;
  EXPECT_EQ(up.out, "version 2 draft 'spring' by edna\n");
  auto refused = cli({"activate", "2"}, kEditor);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_EQ(refused.out, "refused (403 FORBIDDEN): role editor may not activate rule sets\n");
  EXPECT_EQ(cli({"activate", "2", "--at", "tomorrow"}, kPub1).exit_code, 2);
  auto later = cli({"activate", "2", "--at", "2099-01-01T00:00:00Z"}, kPub1);
  EXPECT_EQ(later.out,
            "version 2 scheduled 'spring' by edna, activates at 2099-01-01T00:00:00+00:00\n");
  auto on = cli({"activate", "2"}, kPub1);
  EXPECT_EQ(on.exit_code, 0);
  EXPECT_EQ(on.out, "version 2 active 'spring' by edna\n");
  EXPECT_EQ(cli({"rollback"}, kPub1).out, "version 1 active 'default' by startup\n");
  auto list = cli({"list"}, kViewer);
  EXPECT_EQ(list.out,
            "version 1 active 'default' by startup\nversion 2 retired 'spring' by edna\n");
  auto show = cli({"show", "2"}, kViewer);
  EXPECT_EQ(show.out, "# version 2 retired 'spring' by edna\n" + Rules("spring", 2));
  auto bad = dir_.Sub("bad.yaml");
  std::ofstream(bad) << "program:\n  rounding: flor\n";
  auto invalid = cli({"upload", bad}, kEditor);
  EXPECT_EQ(invalid.exit_code, 1);
  EXPECT_NE(invalid.out.find("line 2, column 13: program.rounding:"), std::string::npos)
      << invalid.out;
  EXPECT_EQ(RunCli({"rules", "list", "--admin", "127.0.0.1:1", "--token", kViewer}).exit_code, 3);
}

}  // namespace
}  // namespace loyalty
