// Publishing rule sets through the admin API (issue 13): four eyes for every
// role, no activation at a past time, rollbacks that walk back and never
// return to what was rolled back, activation refused for another currency or
// a dropped tier customers hold (unless a migration is confirmed), drafts
// submitted for approval, the editor's validation, simulation against the
// rules in force, and the bound on waiting drafts. A real loyaltyd each.
#include <gtest/gtest.h>

#include <fstream>

#include "tests/e2e/admin_fixture.h"

namespace loyalty {
namespace {

using namespace admin_testing;

std::string Activate(int version) {
  return "/v1/rulesets/" + std::to_string(version) + "/activate";
}

json LastAudit(int port) {
  return Json(Http(port, "GET", "/v1/audit?limit=1", kViewer))["entries"][0];
}

TEST_F(AdminTest, FourEyesHoldForAdminsTooUnlessTheConfigSaysOtherwise) {
  Start();
  const int own = Upload(Rules("admin-own", 2), kAdmin);
  auto refused = Http(port_, "POST", Activate(own), kAdmin);
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(Json(refused)["code"], "OWN_DRAFT");
  EXPECT_EQ(Json(refused)["message"],
            "version 2 was uploaded by ada; another publisher must activate it (four eyes, for "
            "every role)");
  EXPECT_EQ(ActiveVersion(port_), 1);
  EXPECT_EQ(Http(port_, "POST", Activate(own), kPub1).status, 200);  // someone else may
  EXPECT_EQ(LastAudit(port_)["detail"], "");
}

TEST_F(AdminTest, AnAdminMayApproveTheirOwnDraftWhenConfiguredAndTheAuditLogSaysSo) {
  Start({}, "admin_self_approval: on\n");
  const int own = Upload(Rules("admin-own", 2), kAdmin);
  auto made = Http(port_, "POST", Activate(own), kAdmin);
  ASSERT_EQ(made.status, 200) << made.body;
  EXPECT_EQ(ActiveVersion(port_), own);
  const json audit = LastAudit(port_);
  EXPECT_EQ(audit["action"], "rules.activate");
  EXPECT_EQ(audit["who"], "ada");
  EXPECT_EQ(audit["detail"], "own draft, approved by its author: admin_self_approval is on");
  // Publishers still never approve their own.
  const int pias = Upload(Rules("pia-own", 3), kPub1);
  EXPECT_EQ(Http(port_, "POST", Activate(pias), kPub1).status, 403);
}

TEST_F(AdminTest, AnActivationAtAPastTimeIsRefusedAndNothingIsScheduled) {
  Start();
  const int v = Upload(Rules("later", 2));
  const std::string past = "{\"at_ms\": " + std::to_string(NowMs() - 60'000) + "}";
  auto refused = Http(port_, "POST", Activate(v), kPub1, past);
  EXPECT_EQ(refused.status, 422);
  EXPECT_EQ(Json(refused)["code"], "PAST_TIME");
  auto stored = Json(Http(port_, "GET", "/v1/rulesets/2", kViewer));
  EXPECT_EQ(stored["state"], "draft");
  EXPECT_EQ(ActiveVersion(port_), 1);
  const std::string future = "{\"at_ms\": " + std::to_string(NowMs() + 3'600'000) + "}";
  auto scheduled = Http(port_, "POST", Activate(v), kPub1, future);
  ASSERT_EQ(scheduled.status, 200) << scheduled.body;
  EXPECT_EQ(Json(scheduled)["state"], "scheduled");
  EXPECT_TRUE(Json(scheduled).contains("activate_at"));
}

TEST_F(AdminTest, RollbacksWalkBackAndNeverReturnToWhatWasRolledBack) {
  Start();
  const int two = Upload(Rules("two", 2));
  const int three = Upload(Rules("three", 3));
  ASSERT_EQ(Http(port_, "POST", Activate(two), kPub1).status, 200);
  ASSERT_EQ(Http(port_, "POST", Activate(three), kPub1).status, 200);
  EXPECT_EQ(Json(Http(port_, "GET", "/v1/rulesets", kViewer))["rollback_to"], two);

  auto back = Http(port_, "POST", "/v1/rulesets/rollback", kPub2);
  ASSERT_EQ(back.status, 200) << back.body;
  EXPECT_EQ(Json(back)["version"], two);
  EXPECT_EQ(LastAudit(port_)["detail"], "rolled back from version 3");
  auto again = Http(port_, "POST", "/v1/rulesets/rollback", kPub2);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(Json(again)["version"], 1);  // further back, not to 3
  auto nothing = Http(port_, "POST", "/v1/rulesets/rollback", kPub2);
  EXPECT_EQ(nothing.status, 404);
  EXPECT_EQ(Json(nothing)["message"],
            "version 1 replaced no version: there is nothing to roll back to (name one that was "
            "in force once)");
  EXPECT_EQ(ActiveVersion(port_), 1);

  // By name: any version that was in force once; never a draft.
  auto named = Http(port_, "POST", "/v1/rulesets/rollback", kPub2, R"({"to": 3})");
  ASSERT_EQ(named.status, 200) << named.body;
  EXPECT_EQ(ActiveVersion(port_), three);
  const int draft = Upload(Rules("four", 4));
  auto never = Http(port_, "POST", "/v1/rulesets/rollback", kPub2,
                    "{\"to\": " + std::to_string(draft) + "}");
  EXPECT_EQ(never.status, 422);
  EXPECT_EQ(Http(port_, "POST", "/v1/rulesets/rollback", kPub2, R"({"to": "3"})").status, 400);
  EXPECT_EQ(Http(port_, "POST", "/v1/rulesets/rollback", kEditor).status, 403);
}

TEST_F(AdminTest, ARuleSetInAnotherCurrencyIsRefusedOnceCustomersHoldMoney) {
  Start();
  const int gbp = Upload(Rules("pounds", 1, "GBP"));
  ASSERT_EQ(Purchase("T-1", "10.00"), 0);  // in EUR, the program's currency
  auto refused = Http(port_, "POST", Activate(gbp), kPub1);
  EXPECT_EQ(refused.status, 409);
  EXPECT_EQ(Json(refused)["code"], "CURRENCY_MISMATCH");
  EXPECT_EQ(Json(refused)["message"],
            "version 2 is in GBP but the money of the program's 1 customer is in EUR: every sale "
            "after it would be refused; write the rules in EUR");
  const std::string later = "{\"at_ms\": " + std::to_string(NowMs() + 3'600'000) + "}";
  EXPECT_EQ(Http(port_, "POST", Activate(gbp), kPub1, later).status, 409);  // nor scheduled
  EXPECT_EQ(ActiveVersion(port_), 1);
  EXPECT_EQ(Purchase("T-2", "10.00"), 0);  // sales go on
}

TEST_F(AdminTest, AnotherCurrencyIsFineWhileNoCustomerExists) {
  Start();
  const int gbp = Upload(Rules("pounds", 1, "GBP"));
  EXPECT_EQ(Http(port_, "POST", Activate(gbp), kPub1).status, 200);
}

TEST_F(AdminTest, DroppingATierCustomersHoldNeedsAConfirmedMigration) {
  const std::string rules = dir_.Sub("tiers.yaml");
  std::ofstream(rules) << "name: tiers\nprogram: { currency: EUR }\n"
                          "tiers:\n  - { id: member, name: Member }\n"
                          "  - { id: gold, name: Gold, invitation_only: true }\n";
  Start({"--rules", rules});
  ASSERT_EQ(Purchase("T-1", "10.00"), 0);
  ASSERT_EQ(Http(port_, "POST", std::string("/v1/customers/") + kCard + "/adjust", kAdmin,
                 R"({"transaction_id": "ADJ-1", "reason": "vip", "set_tier": "gold"})")
                .status,
            200);
  const int flat = Upload(Rules("no-gold", 1));
  auto refused = Http(port_, "POST", Activate(flat), kPub1);
  ASSERT_EQ(refused.status, 409) << refused.body;
  EXPECT_EQ(Json(refused)["code"], "TIERS_DROPPED");
  EXPECT_EQ(Json(refused)["dropped_tiers"], json({{"gold", 1}}));
  EXPECT_NE(Json(refused)["message"].get<std::string>().find("tier gold (1 customer)"),
            std::string::npos);
  EXPECT_EQ(ActiveVersion(port_), 1);
  auto wrong = Http(port_, "POST", Activate(flat), kPub1, R"({"tier_migration": "keep"})");
  EXPECT_EQ(wrong.status, 400);
  auto confirmed = Http(port_, "POST", Activate(flat), kPub1, R"({"tier_migration": "requalify"})");
  ASSERT_EQ(confirmed.status, 200) << confirmed.body;
  EXPECT_EQ(ActiveVersion(port_), flat);
  EXPECT_EQ(LastAudit(port_)["detail"],
            "tier migration confirmed (requalify from the lowest tier): tier gold (1 customer)");
  ASSERT_EQ(Purchase("T-2", "10.00"), 0);  // the next event starts over from member
  EXPECT_EQ(Json(Http(port_, "GET", std::string("/v1/customers/") + kCard, kViewer))["tier"],
            "member");
}

TEST_F(AdminTest, AnEditorSubmitsADraftForApproval) {
  Start();
  const int v = Upload(Rules("spring", 2));
  EXPECT_EQ(Http(port_, "POST", "/v1/rulesets/2/submit", kViewer).status, 403);
  auto submitted =
      Http(port_, "POST", "/v1/rulesets/2/submit", kEditor, R"({"note": "double points"})");
  ASSERT_EQ(submitted.status, 200) << submitted.body;
  EXPECT_EQ(Json(submitted)["state"], "draft");
  EXPECT_EQ(Json(submitted)["submitted_by"], "edna");
  EXPECT_EQ(Json(submitted)["submit_note"], "double points");
  EXPECT_GT(Json(submitted)["submitted_ms"].get<int64_t>(), 0);
  const json audit = LastAudit(port_);
  EXPECT_EQ(audit["action"], "rules.submit");
  EXPECT_EQ(audit["after_version"], v);
  EXPECT_EQ(audit["detail"], "double points");
  EXPECT_EQ(Http(port_, "POST", "/v1/rulesets/2/submit", kEditor, R"({"nope": 1})").status, 400);
  EXPECT_EQ(Http(port_, "POST", "/v1/rulesets/1/submit", kEditor).status, 422);  // in force
  EXPECT_EQ(Http(port_, "POST", Activate(v), kPub1).status, 200);
}

TEST_F(AdminTest, ValidationAnswersEveryMistakeWithItsPlaceAndStoresNothing) {
  Start();
  auto bad = Http(port_, "POST", "/v1/rulesets/validate", kEditor,
                  "name: x\nprogram:\n  currency: EUR\n  rounding: flor\n");
  ASSERT_EQ(bad.status, 200) << bad.body;
  EXPECT_EQ(Json(bad)["valid"], false);
  EXPECT_EQ(Json(bad)["problems"][0]["line"], 4);
  EXPECT_EQ(Json(bad)["problems"][0]["column"], 13);
  EXPECT_NE(Json(bad)["problems"][0]["message"].get<std::string>().find("program.rounding"),
            std::string::npos);
  auto good = Http(port_, "POST", "/v1/rulesets/validate", kEditor, Rules("fine", 2, "GBP"));
  EXPECT_EQ(Json(good)["valid"], true);
  EXPECT_EQ(Json(good)["summary"]["currency"], "GBP");
  EXPECT_EQ(Json(good)["currency_in_force"], "EUR");
  EXPECT_EQ(Json(good)["summary"]["tiers"], json::array({"member"}));
  EXPECT_EQ(Http(port_, "POST", "/v1/rulesets/validate", kViewer, "x: 1").status, 403);
  EXPECT_EQ(Json(Http(port_, "GET", "/v1/rulesets", kViewer))["versions"].size(), 1u);
}

TEST_F(AdminTest, ASimulationComparesADraftWithTheRulesInForce) {
  const std::string events = dir_.Sub("events.jsonl");
  const std::string t = std::to_string(NowMs() - 3'600'000);
  auto sale = [&](const std::string& txn, const std::string& card, int minor) {
    return "{\"purchase\": {\"transaction_id\": \"" + txn +
           "\", \"store_id\": \"S1\", \"card\": \"" + card + "\", \"event_time_ms\": " + t +
           ", \"currency\": \"EUR\", \"lines\": [{\"sku\": " +
           "\"A\", \"category\": \"food\", \"quantity\": 1, \"unit_price_minor\": " +
           std::to_string(minor) + ", \"line_total_minor\": " + std::to_string(minor) + "}]}}\n";
  };
  std::ofstream(events) << sale("S-1", "11", 1000) << sale("S-2", "22", 2550);
  Start({}, "simulate_data: " + events + "\n");
  const int v = Upload(Rules("double", 2));
  auto sim = Http(port_, "POST", "/v1/rulesets/2/simulate?source=data", kEditor);
  ASSERT_EQ(sim.status, 200) << sim.body;
  EXPECT_EQ(Json(sim)["baseline"]["points_issued"], 10 + 25);
  EXPECT_EQ(Json(sim)["candidate"]["points_issued"], 20 + 51);
  EXPECT_EQ(Json(sim)["candidate"]["points_by_rule"]["base"], 71);
  EXPECT_EQ(Json(sim)["customers_points_differ"], 2);
  EXPECT_EQ(Json(sim)["currency"], "EUR");
  EXPECT_EQ(Json(sim)["baseline_rules"], "version 1 'default' (in force)");
  EXPECT_EQ(Json(sim)["candidate_rules"], "version 2 'double' (draft)");

  // The same from an uploaded file; nothing of it is kept.
  std::ifstream in(events);
  const std::string body((std::istreambuf_iterator<char>(in)), {});
  auto up =
      Http(port_, "POST", "/v1/rulesets/2/simulate?source=upload&format=jsonl", kEditor, body);
  ASSERT_EQ(up.status, 200) << up.body;
  EXPECT_EQ(Json(up)["candidate"]["points_issued"], 71);
  auto junk = Http(port_, "POST", "/v1/rulesets/2/simulate?source=upload", kEditor, "not json\n");
  EXPECT_EQ(junk.status, 422);
  EXPECT_EQ(Json(junk)["code"], "BAD_EVENTS");
  EXPECT_EQ(Json(junk)["message"].get<std::string>().rfind("the uploaded file:1: not an event", 0),
            0u)
      << junk.body;
  EXPECT_EQ(Http(port_, "POST", "/v1/rulesets/2/simulate?source=moon", kEditor).status, 400);
  EXPECT_EQ(Http(port_, "POST", "/v1/rulesets/2/simulate", kViewer).status, 403);
  EXPECT_EQ(Json(Http(port_, "GET", "/v1/rulesets", kViewer))["active"], 1);  // nothing changed
  EXPECT_EQ(v, 2);
}

TEST_F(AdminTest, NoDataSetMeansNoDataSimulation) {
  Start();
  Upload(Rules("double", 2));
  auto none = Http(port_, "POST", "/v1/rulesets/2/simulate", kEditor);
  EXPECT_EQ(none.status, 404);
  EXPECT_EQ(Json(none)["code"], "NO_DATA");
}

TEST_F(AdminTest, DraftsWaitingAtOnceAreBounded) {
  Start({}, "rules_drafts_max: 2\n");
  Upload(Rules("a", 2));
  Upload(Rules("b", 3));
  auto third = Http(port_, "POST", "/v1/rulesets", kEditor, Rules("c", 4));
  EXPECT_EQ(third.status, 429);
  EXPECT_EQ(Json(third)["code"], "TOO_MANY");
  ASSERT_EQ(Http(port_, "POST", Activate(2), kPub1).status, 200);  // one fewer waiting
  EXPECT_EQ(Http(port_, "POST", "/v1/rulesets", kEditor, Rules("c", 4)).status, 201);
}

}  // namespace
}  // namespace loyalty
