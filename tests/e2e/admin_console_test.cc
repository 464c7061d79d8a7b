// The console's endpoints (issue 13), end to end: its files with a strict
// Content-Security-Policy, signing in with a token for a session cookie
// (HttpOnly, Secure, SameSite=Strict) and a CSRF token that every change
// made with the cookie must carry, the overview's numbers, report CSVs and
// the audit log's filters.
#include <gtest/gtest.h>

#include "tests/e2e/admin_fixture.h"

namespace loyalty {
namespace {

using namespace admin_testing;

// The session cookie a sign-in set ("loyalty_session=..."), as a Cookie header.
std::string CookieOf(const HttpReply& r) {
  const std::string set = r.Header("Set-Cookie");
  return set.substr(0, set.find(';'));
}

HttpReply SignIn(int port, const std::string& token) {
  return Http(port, "POST", "/v1/session", "", json({{"token", token}}).dump());
}

TEST_F(AdminTest, TheConsoleIsServedWithAStrictContentSecurityPolicy) {
  Start();
  auto page = Http(port_, "GET", "/");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("<script type=\"module\" src=\"/console/app.js\"></script>"),
            std::string::npos);
  const std::string csp = page.Header("Content-Security-Policy");
  EXPECT_NE(csp.find("default-src 'none'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos);
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos);
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_EQ(page.Header("X-Content-Type-Options"), "nosniff");
  auto script = Http(port_, "GET", "/console/app.js");
  EXPECT_EQ(script.status, 200);
  EXPECT_EQ(script.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(Http(port_, "GET", "/console/style.css").content_type, "text/css; charset=utf-8");
  auto slash = Http(port_, "GET", "/v1/customers/40%2F00/ledger", kViewer);
  EXPECT_EQ(slash.status, 400);
  EXPECT_EQ(Json(slash)["code"], "ENCODED_SLASH");
  auto missing = Http(port_, "GET", "/console/nothing.js");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(Json(missing)["message"], "the console has no file /nothing.js");
}

TEST_F(AdminTest, SigningInGivesASessionCookieAndChangesNeedItsCsrfToken) {
  Start();
  EXPECT_EQ(SignIn(port_, "not-a-token-at-all").status, 401);
  auto form = Http(port_, "POST", "/v1/session", "", "token=x", {{"Content-Type", "text/plain"}});
  EXPECT_EQ(form.status, 415);  // what another site's form could send
  auto in = SignIn(port_, kEditor);
  ASSERT_EQ(in.status, 200) << in.body;
  EXPECT_EQ(Json(in)["name"], "edna");
  EXPECT_EQ(Json(in)["role"], "editor");
  EXPECT_EQ(Json(in)["may"]["rules.draft"], true);
  EXPECT_EQ(Json(in)["may"]["rules.publish"], false);
  const std::string csrf = Json(in)["csrf"];
  EXPECT_EQ(csrf.size(), 64u);
  const std::string set = in.Header("Set-Cookie");
  for (const char* attribute : {"HttpOnly", "Secure", "SameSite=Strict", "Path=/"}) {
    EXPECT_NE(set.find(attribute), std::string::npos) << set;
  }
  const std::string cookie = CookieOf(in);
  EXPECT_EQ(cookie.size(), std::string("loyalty_session=").size() + 64);

  auto who = Http(port_, "GET", "/v1/session", "", "", {{"Cookie", cookie}});
  ASSERT_EQ(who.status, 200) << who.body;
  EXPECT_EQ(Json(who)["csrf"], csrf);  // a reloaded page finds it again
  EXPECT_EQ(Http(port_, "GET", "/v1/rulesets", "", "", {{"Cookie", cookie}}).status, 200);
  // A change with the cookie alone is what a forged request looks like.
  auto forged = Http(port_, "POST", "/v1/rulesets", "", Rules("x", 2), {{"Cookie", cookie}});
  EXPECT_EQ(forged.status, 403);
  EXPECT_EQ(Json(forged)["code"], "CSRF");
  auto wrong = Http(port_, "POST", "/v1/rulesets", "", Rules("x", 2),
                    {{"Cookie", cookie}, {"X-CSRF-Token", std::string(64, '0')}});
  EXPECT_EQ(wrong.status, 403);
  auto made = Http(port_, "POST", "/v1/rulesets", "", Rules("x", 2),
                   {{"Cookie", cookie}, {"X-CSRF-Token", csrf}});
  EXPECT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(Json(made)["author"], "edna");
  // The role still decides.
  EXPECT_EQ(Http(port_, "POST", "/v1/rulesets/2/activate", "", "",
                 {{"Cookie", cookie}, {"X-CSRF-Token", csrf}})
                .status,
            403);

  auto out =
      Http(port_, "DELETE", "/v1/session", "", "", {{"Cookie", cookie}, {"X-CSRF-Token", csrf}});
  ASSERT_EQ(out.status, 200);
  EXPECT_NE(out.Header("Set-Cookie").find("Max-Age=0"), std::string::npos);
  auto gone = Http(port_, "GET", "/v1/rulesets", "", "", {{"Cookie", cookie}});
  EXPECT_EQ(gone.status, 401);
  EXPECT_EQ(Json(gone)["message"], "the session ended: sign in again");

  auto audit = Json(Http(port_, "GET", "/v1/audit?action=session.", kViewer))["entries"];
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0]["who"], "edna");
  EXPECT_EQ(audit[0]["action"], "session.signin");
}

TEST_F(AdminTest, TheOverviewCountsCustomersPointsAndTheirValue) {
  Start();
  ASSERT_EQ(Purchase("T-1", "12.34"), 0);
  ASSERT_EQ(Purchase("T-2", "20.00", "5555666677778888"), 0);
  auto o = Http(port_, "GET", "/v1/overview", kViewer);
  ASSERT_EQ(o.status, 200) << o.body;
  const json c = Json(o)["counts"];
  EXPECT_EQ(c["customers"], 2);
  EXPECT_EQ(c["points_outstanding"], 12 + 20);
  EXPECT_EQ(c["liability_minor"], (12 + 20) * 1);  // at the default 0.01 a point
  EXPECT_EQ(c["currency"], "EUR");
  EXPECT_EQ(c["today_points_issued"], 32);
  EXPECT_EQ(c["today_purchases_earning"], 2);
  EXPECT_EQ(Json(o)["ready"], true);
  EXPECT_EQ(Json(o)["rules"]["version"], 1);
  EXPECT_EQ(Json(o)["cache"]["configured"], false);
  EXPECT_GE(Json(o)["events"].get<int>(), 2);
  EXPECT_EQ(Http(port_, "GET", "/v1/overview", kCashier).status, 403);
}

TEST_F(AdminTest, EveryReportDownloadsAsCsv) {
  Start();
  ASSERT_EQ(Purchase("T-1", "12.34"), 0);
  ASSERT_EQ(Purchase("T-2", "20.00", "5555666677778888"), 0);
  auto lifecycle = Http(port_, "GET", "/v1/reports/lifecycle?format=csv", kViewer);
  ASSERT_EQ(lifecycle.status, 200) << lifecycle.body;
  EXPECT_EQ(lifecycle.content_type, "text/csv; charset=utf-8");
  EXPECT_EQ(lifecycle.Header("Content-Disposition"), "attachment; filename=\"lifecycle.csv\"");
  EXPECT_EQ(lifecycle.body.substr(0, lifecycle.body.find('\n')),
            "customers,revenue_minor,revenue_share_percent,share_percent,spend_12m_minor,stage");
  EXPECT_NE(lifecycle.body.find(",tester\n"), std::string::npos) << lifecycle.body;
  for (const char* name : {"pareto", "rfm", "nps", "offers", "cost-to-serve"}) {
    auto r = Http(port_, "GET", std::string("/v1/reports/") + name + "?format=csv", kViewer);
    EXPECT_TRUE(r.status == 200 || (r.status == 404 && Json(r)["code"] == "NO_TABLE"))
        << name << ": " << r.status << " " << r.body;
  }
  EXPECT_EQ(Http(port_, "GET", "/v1/reports/pareto?format=xls", kViewer).status, 400);
}

TEST_F(AdminTest, TheAuditLogFiltersByWhoAndAction) {
  Start();
  Upload(Rules("a", 2));
  ASSERT_EQ(Http(port_, "POST", "/v1/rulesets/2/activate", kPub1).status, 200);
  ASSERT_EQ(Purchase("T-1", "12.34"), 0);
  ASSERT_EQ(Http(port_, "POST", std::string("/v1/customers/") + kCard + "/adjust", kAdmin,
                 R"({"transaction_id": "ADJ-1", "points": 5, "reason": "goodwill"})")
                .status,
            200);
  auto rules = Json(Http(port_, "GET", "/v1/audit?action=rules.", kViewer))["entries"];
  for (const auto& e : rules) EXPECT_EQ(e["action"].get<std::string>().rfind("rules.", 0), 0u);
  EXPECT_GE(rules.size(), 3u);  // startup activation, upload, activation
  auto pia = Json(Http(port_, "GET", "/v1/audit?who=pia", kViewer))["entries"];
  ASSERT_EQ(pia.size(), 1u);
  EXPECT_EQ(pia[0]["action"], "rules.activate");
  auto ada = Json(Http(port_, "GET", "/v1/audit?who=ada&action=customers.", kViewer))["entries"];
  ASSERT_EQ(ada.size(), 1u);
  EXPECT_TRUE(ada[0].contains("at"));
  auto page = Json(Http(port_, "GET", "/v1/audit?limit=1", kViewer));
  ASSERT_EQ(page["entries"].size(), 1u);
  auto next = Json(
      Http(port_, "GET",
           "/v1/audit?limit=1&before=" + std::to_string(page["next_before"].get<int>()), kViewer));
  EXPECT_LT(next["entries"][0]["seq"].get<int>(), page["entries"][0]["seq"].get<int>());
  EXPECT_EQ(Http(port_, "GET", "/v1/audit?limit=0", kViewer).status, 400);
}

}  // namespace
}  // namespace loyalty
