// The support desk through the admin API (issue 13): customer search by card,
// customer id or their start, and the ledger statement by pages, against a
// real loyaltyd. The statement's newest balance is the lookup's; every
// balance after an entry is the one after it minus the entry; the event
// behind an entry says its kind, store and money; refusals per role.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "tests/e2e/admin_fixture.h"

namespace loyalty {
namespace {

using namespace admin_testing;

constexpr const char* kDeskRules =
    "name: desk\n"
    "program:\n"
    "  currency: EUR\n"
    "  pending_days: 0\n"
    "  redemption: { point_value_minor: 1, min_points: 10, max_share_of_basket: 0.5 }\n"
    "tiers:\n"
    "  - { id: member, name: Member }\n"
    "  - { id: gold, name: Gold, invitation_only: true }\n";

class AdminDeskTest : public AdminTest {
 protected:
  void SetUp() override {
    const std::string rules = dir_.Sub("desk.yaml");
    std::ofstream(rules) << kDeskRules;
    Start({"--rules", rules});
    ASSERT_EQ(Purchase("T-1", "12.34"), 0);
    ASSERT_EQ(Purchase("T-2", "50.00", kCard, "S2"), 0);
    ASSERT_EQ(Purchase("T-3", "7.00", "4000999900001111"), 0);
    ASSERT_EQ(RunCli({"--server", server_->address(), "redeem", "--txn", "R-1", "--store", "S1",
                      "--card", kCard, "--points", "20", "--basket", "40.00"})
                  .exit_code,
              0);
    auto adjusted = Http(port_, "POST", Customer() + "/adjust", kAdmin,
                         R"({"transaction_id": "ADJ-1", "points": 100, "reason": "goodwill"})");
    ASSERT_EQ(adjusted.status, 200) << adjusted.body;
  }
  static std::string Customer() { return std::string("/v1/customers/") + kCard; }
};

TEST_F(AdminDeskTest, SearchFindsCardsAndCustomerIdsByTheirStart) {
  auto both = Http(port_, "GET", "/v1/customers?q=4000", kViewer);
  ASSERT_EQ(both.status, 200) << both.body;
  ASSERT_EQ(Json(both)["matches"].size(), 2u);
  const json first = Json(both)["matches"][0];
  EXPECT_EQ(first["card"], kCard);
  EXPECT_EQ(first["matched"], "card");
  EXPECT_EQ(first["balance"], 12 + 50 - 20 + 100);
  EXPECT_EQ(first["spend_minor"], 1234 + 5000);
  EXPECT_EQ(first["currency"], "EUR");
  EXPECT_EQ(Json(both)["more"], false);

  auto one = Http(port_, "GET", "/v1/customers?q=40009999&limit=1", kViewer);
  ASSERT_EQ(Json(one)["matches"].size(), 1u);
  EXPECT_EQ(Json(one)["matches"][0]["customer_id"], "4000999900001111");
  auto limited = Http(port_, "GET", "/v1/customers?q=4000&limit=1", kViewer);
  EXPECT_EQ(Json(limited)["matches"].size(), 1u);
  EXPECT_EQ(Json(limited)["more"], true);
  EXPECT_TRUE(Json(Http(port_, "GET", "/v1/customers?q=zz", kViewer))["matches"].empty());

  auto short_query = Http(port_, "GET", "/v1/customers?q=4", kViewer);
  EXPECT_EQ(short_query.status, 400);
  EXPECT_EQ(Json(short_query)["code"], "BAD_QUERY");
  EXPECT_EQ(Http(port_, "GET", "/v1/customers?q=4000&limit=0", kViewer).status, 400);
  // A cashier looks up a card they hold, never browses; editors and
  // publishers write rules, they do not read customers.
  EXPECT_EQ(Http(port_, "GET", "/v1/customers?q=4000", kCashier).status, 403);
  EXPECT_EQ(Http(port_, "GET", "/v1/customers?q=4000", kEditor).status, 403);
  EXPECT_EQ(Http(port_, "GET", "/v1/customers?q=4000", kPub1).status, 403);
  EXPECT_EQ(Http(port_, "GET", "/v1/customers?q=4000", kAdmin).status, 200);
  EXPECT_EQ(Http(port_, "GET", "/v1/customers?q=4000").status, 401);
}

TEST_F(AdminDeskTest, TheStatementExplainsTheBalanceEntryByEntry) {
  auto lookup = Http(port_, "GET", Customer(), kViewer);
  ASSERT_EQ(lookup.status, 200) << lookup.body;
  EXPECT_EQ(Json(lookup)["currency"], "EUR");
  auto st = Http(port_, "GET", Customer() + "/ledger", kViewer);
  ASSERT_EQ(st.status, 200) << st.body;
  const json s = Json(st);
  EXPECT_EQ(s["customer_id"], kCard);
  EXPECT_EQ(s["currency"], "EUR");
  EXPECT_EQ(s["balance"], Json(lookup)["balance"]);
  EXPECT_EQ(s["ledger_balance"], 142);
  EXPECT_EQ(s["more"], false);
  const json& e = s["entries"];
  ASSERT_EQ(e.size(), 4u);  // newest first: adjust, spend, earn T-2, earn T-1
  EXPECT_EQ(e[0]["balance_after"], Json(lookup)["balance"]);
  EXPECT_EQ(e[0]["kind"], "adjust");
  EXPECT_EQ(e[0]["points"], 100);
  EXPECT_EQ(e[0]["rule"], "goodwill");
  EXPECT_EQ(e[0]["operator"], "ada");
  EXPECT_EQ(e[0]["event"]["kind"], "adjust");
  EXPECT_EQ(e[1]["kind"], "spend");
  EXPECT_EQ(e[1]["points"], -20);
  EXPECT_EQ(e[1]["transaction_id"], "R-1");
  EXPECT_EQ(e[1]["event"]["kind"], "redeem");
  EXPECT_EQ(e[1]["event"]["discount_minor"], 20);  // 20 points at 0.01 EUR
  EXPECT_EQ(e[2]["kind"], "earn");
  EXPECT_EQ(e[2]["rule"], "base");
  EXPECT_EQ(e[2]["transaction_id"], "T-2");
  EXPECT_EQ(e[2]["event"]["kind"], "purchase");
  EXPECT_EQ(e[2]["event"]["store"], "S2");
  EXPECT_EQ(e[2]["event"]["amount_minor"], 5000);
  EXPECT_EQ(e[2]["event"]["outcome"], "applied");
  EXPECT_EQ(e[3]["event"]["store"], "S1");
  EXPECT_EQ(e[3]["balance_after"], 12);
  for (std::size_t i = 0; i + 1 < e.size(); ++i) {
    EXPECT_EQ(e[i + 1]["balance_after"].get<int64_t>(),
              e[i]["balance_after"].get<int64_t>() - e[i]["points"].get<int64_t>())
        << "entry " << i;
    EXPECT_GT(e[i]["seq"].get<int>(), e[i + 1]["seq"].get<int>());
  }
  // Dates people read, in the program's time zone (UTC here), beside the ms.
  EXPECT_EQ(e[3]["at_at"].get<std::string>().substr(19), "+00:00");
  EXPECT_EQ(e[3]["at_date"].get<std::string>().size(), 10u);
  ASSERT_GE(s["lots"].size(), 1u);
  EXPECT_EQ(s["lots"][0]["state"], "spendable");
  EXPECT_TRUE(s["lots"][0].contains("expires_date"));
}

TEST_F(AdminDeskTest, TheStatementComesInPagesThatJoinUp) {
  const json all = Json(Http(port_, "GET", Customer() + "/ledger", kViewer))["entries"];
  auto first = Json(Http(port_, "GET", Customer() + "/ledger?limit=3", kViewer));
  ASSERT_EQ(first["entries"].size(), 3u);
  EXPECT_EQ(first["more"], true);
  const int before = first["next_before"];
  EXPECT_EQ(before, first["entries"][2]["seq"]);
  auto second = Json(
      Http(port_, "GET", Customer() + "/ledger?limit=3&before=" + std::to_string(before), kViewer));
  ASSERT_EQ(second["entries"].size(), 1u);
  EXPECT_EQ(second["more"], false);
  EXPECT_FALSE(second.contains("next_before"));
  EXPECT_EQ(second["entries"][0], all[3]);  // the same entry, the same balance after it
  EXPECT_EQ(first["entries"][1], all[1]);
}

TEST_F(AdminDeskTest, TheStatementRefusesWhatItCannotAnswer) {
  auto unknown = Http(port_, "GET", "/v1/customers/no-such-card/ledger", kViewer);
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(Json(unknown)["code"], "UNKNOWN_CARD");
  EXPECT_EQ(Json(unknown)["message"], "card no-such-card is not enrolled");
  auto bad = Http(port_, "GET", Customer() + "/ledger?limit=100000", kViewer);
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(Json(bad)["message"], "limit must be a whole number from 1 to 500");
  EXPECT_EQ(Http(port_, "GET", Customer() + "/ledger?before=x", kViewer).status, 400);
  EXPECT_EQ(Http(port_, "GET", Customer() + "/ledger", kCashier).status, 403);
  EXPECT_EQ(Http(port_, "GET", Customer() + "/ledger", kEditor).status, 403);
  EXPECT_EQ(Http(port_, "GET", Customer() + "/ledger", kAdmin).status, 200);
}

TEST_F(AdminDeskTest, AnAdjustmentAndATierShowInTheStatementAndTheLookup) {
  auto gold = Http(port_, "POST", Customer() + "/adjust", kAdmin,
                   R"({"transaction_id": "ADJ-2", "points": -30, "reason": "correction",
                       "set_tier": "gold"})");
  ASSERT_EQ(gold.status, 200) << gold.body;
  auto st = Json(Http(port_, "GET", Customer() + "/ledger", kViewer));
  EXPECT_EQ(st["tier"], "gold");
  EXPECT_EQ(st["entries"][0]["points"], -30);
  EXPECT_EQ(st["entries"][0]["rule"], "correction");
  EXPECT_EQ(st["entries"][0]["balance_after"], 112);
  EXPECT_EQ(Json(Http(port_, "GET", Customer(), kViewer))["balance"], 112);
  EXPECT_EQ(Json(Http(port_, "GET", Customer(), kViewer))["tier"], "gold");
}

TEST_F(AdminDeskTest, TheHistoryCommandPrintsTheStatement) {
  auto history = [&](std::vector<std::string> args, const char* token = kViewer) {
    args.insert(args.begin(), "history");
    args.insert(args.end(), {"--admin", server_->admin_address(), "--token", token});
    return RunCli(args);
  };
  auto out = history({"--card", kCard});
  ASSERT_EQ(out.exit_code, 0) << out.out;
  EXPECT_EQ(out.out.substr(0, out.out.find('\n')),
            "customer 4000123412341234 (card 4000123412341234): balance 142 (spendable 142, "
            "pending 0), tier member; times at UTC+00:00");
  EXPECT_NE(out.out.find("goodwill (ada)"), std::string::npos) << out.out;
  EXPECT_NE(out.out.find("50.00 EUR"), std::string::npos) << out.out;
  EXPECT_NE(out.out.find("0.20 EUR off"), std::string::npos) << out.out;
  const auto lines = [](const std::string& text) {
    return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  };
  EXPECT_EQ(lines(out.out), 2 + 4);  // the customer, the heading, four entries
  auto paged = history({"--card", kCard, "--limit", "1"});
  EXPECT_EQ(lines(paged.out), 2 + 1 + 1);
  EXPECT_NE(paged.out.find("(older entries: --all)"), std::string::npos);
  EXPECT_EQ(history({"--card", kCard, "--limit", "1", "--all"}).out, out.out);
  auto unknown = history({"--card", "nobody"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_EQ(unknown.out, "refused (404 UNKNOWN_CARD): card nobody is not enrolled\n");
  EXPECT_EQ(history({"--card", kCard}, kCashier).exit_code, 1);
}

}  // namespace
}  // namespace loyalty
