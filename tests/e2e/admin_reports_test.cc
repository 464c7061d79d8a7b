// The reports and the RFM job through the admin HTTP API, end to end: the
// real loyaltyd on 127.0.0.1 port 0, real RocksDB, real HTTP, and the CLI
// asking it (`loyalty report NAME --admin`).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "tests/support/http_client.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace loyalty {
namespace {

using nlohmann::json;
using testing::Http;
using testing::RunCli;
using testing::ServerProcess;
using testing::TempDir;

constexpr const char* kViewer = "viewer-secret-0123456789";
constexpr const char* kCashier = "cashier-secret-0123456789";
constexpr const char* kPublisher = "publisher-one-0123456789";

class AdminReportsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string config = dir_.Sub("loyaltyd.yaml");
    std::ofstream(config) << "admin_tokens:\n"
                          << "  - { name: vera, role: viewer, token: " << kViewer << " }\n"
                          << "  - { name: carl, role: cashier, token: " << kCashier << " }\n"
                          << "  - { name: pia, role: publisher, token: " << kPublisher << " }\n";
    server_ = std::make_unique<ServerProcess>(dir_.Sub("db"),
                                              std::vector<std::string>{"--config", config});
    ASSERT_TRUE(server_->ok()) << server_->Stderr();
    port_ = server_->admin_port();
    // Two customers: one buys once, one twice.
    for (const auto& [txn, card, amount] : {std::tuple{"T-1", "4000000000000001", "10.00"},
                                            {"T-2", "4000000000000002", "30.00"},
                                            {"T-3", "4000000000000002", "50.00"}}) {
      ASSERT_EQ(RunCli({"--server", server_->address(), "purchase", "--txn", txn, "--store", "S1",
                        "--card", card, "--amount", amount})
                    .exit_code,
                0);
    }
  }
  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  int port_ = 0;
};

TEST_F(AdminReportsTest, EveryReportAnswersAsJsonAndTheChartedOnesAsSvg) {
  auto list = Http(port_, "GET", "/v1/reports", kViewer);
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(json::parse(list.body)["reports"].size(), 6u);
  for (const char* name : {"pareto", "rfm", "lifecycle", "nps", "offers", "cost-to-serve"}) {
    auto r = Http(port_, "GET", std::string("/v1/reports/") + name, kViewer);
    EXPECT_EQ(r.status, 200) << name << ": " << r.body;
    EXPECT_TRUE(json::parse(r.body, nullptr, false).is_object()) << name;
  }
  const json lifecycle = json::parse(Http(port_, "GET", "/v1/reports/lifecycle", kViewer).body);
  EXPECT_EQ(lifecycle["customers"], 2);
  EXPECT_EQ(lifecycle["stages"][1]["customers"], 1);  // tester
  EXPECT_EQ(lifecycle["stages"][2]["customers"], 1);  // buyer
  const json cost = json::parse(Http(port_, "GET", "/v1/reports/cost-to-serve", kViewer).body);
  EXPECT_EQ(cost["total"]["customers"], 2);
  EXPECT_EQ(cost["total"]["net_minor"], 9'000);  // 10.00 + 30.00 + 50.00, nothing given back
  auto svg = Http(port_, "GET", "/v1/reports/nps?format=svg", kViewer);
  ASSERT_EQ(svg.status, 200);
  EXPECT_EQ(svg.content_type, "image/svg+xml");
  EXPECT_EQ(svg.body.rfind("<svg", 0), 0u);
  auto text = Http(port_, "GET", "/v1/reports/pareto?format=text", kViewer);
  EXPECT_NE(text.body.find("2 customers, revenue 90.00 EUR"), std::string::npos) << text.body;
  for (const char* name : {"rfm", "offers", "cost-to-serve"}) {  // every report has a chart
    auto chart = Http(port_, "GET", std::string("/v1/reports/") + name + "?format=svg", kViewer);
    EXPECT_EQ(chart.status, 200) << name;
    EXPECT_EQ(chart.body.rfind("<svg", 0), 0u) << name;
  }
  // Amounts are in the program's currency (EUR): another code is refused, not a relabel.
  EXPECT_EQ(Http(port_, "GET", "/v1/reports/pareto?currency=XYZ", kViewer).status, 400);
  EXPECT_EQ(Http(port_, "GET", "/v1/reports/pareto?currency=EUR", kViewer).status, 200);
  EXPECT_EQ(Http(port_, "GET", "/v1/reports/lifecycle?format=pdf", kViewer).status, 400);
  EXPECT_EQ(Http(port_, "GET", "/v1/reports/churn", kViewer).status, 404);
  EXPECT_EQ(Http(port_, "GET", "/v1/reports/pareto", kCashier).status, 403);
}

// The six reports are kept and made again after a change: a sale made
// after a report was read is in the next one (a store this small is made in
// a few ms, so a request never gets a copy older than what it knows), and
// every answer says when it was made.
TEST_F(AdminReportsTest, ASaleAfterAReportIsInTheNextAndEveryAnswerSaysWhenItWasMade) {
  auto before = Http(port_, "GET", "/v1/reports/lifecycle", kViewer);
  ASSERT_EQ(before.status, 200) << before.body;
  EXPECT_EQ(json::parse(before.body)["customers"], 2);
  const std::regex http_date(R"([A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT)");
  EXPECT_TRUE(std::regex_match(before.Header("Last-Modified"), http_date))
      << before.Header("Last-Modified");
  ASSERT_EQ(RunCli({"--server", server_->address(), "purchase", "--txn", "T-4", "--store", "S1",
                    "--card", "4000000000000003", "--amount", "5.00"})
                .exit_code,
            0);
  for (const char* name : {"lifecycle", "cost-to-serve"}) {
    auto after = Http(port_, "GET", std::string("/v1/reports/") + name, kViewer);
    ASSERT_EQ(after.status, 200) << after.body;
    const json j = json::parse(after.body);
    EXPECT_EQ(name == std::string("lifecycle") ? j["customers"] : j["total"]["customers"], 3)
        << name;
  }
  auto fresh = Http(port_, "GET", "/v1/reports/pareto?fresh=true&format=text", kViewer);
  ASSERT_EQ(fresh.status, 200) << fresh.body;
  EXPECT_NE(fresh.body.find("3 customers, revenue 95.00 EUR"), std::string::npos) << fresh.body;
}

TEST_F(AdminReportsTest, APublisherRecomputesTheRfmQuantilesAViewerOnlyReadsThem) {
  EXPECT_EQ(Http(port_, "POST", "/v1/rfm/recompute", kViewer).status, 403);
  auto made = Http(port_, "POST", "/v1/rfm/recompute", kPublisher);
  ASSERT_EQ(made.status, 200) << made.body;
  const json q = json::parse(made.body)["quantiles"];
  EXPECT_EQ(q["customers"], 2);
  EXPECT_EQ(q["frequency"], json::array({1, 1, 2, 2}));
  EXPECT_EQ(q["monetary_minor"], json::array({1'000, 1'000, 8'000, 8'000}));
  auto seen = Http(port_, "GET", "/v1/rfm", kViewer);
  ASSERT_EQ(seen.status, 200);
  EXPECT_EQ(json::parse(seen.body)["quantiles"], q);
  const std::string metrics = Http(port_, "GET", "/metrics").body;
  EXPECT_NE(metrics.find("loyalty_rfm_quantiles_age_seconds "), std::string::npos);
  EXPECT_EQ(metrics.find("loyalty_rfm_quantiles_age_seconds -1"), std::string::npos);
  // The same run summed the points customers hold, and what they buy (EUR,
  // one cent a point in the built-in rules).
  int64_t held = 0;
  for (const char* card : {"4000000000000001", "4000000000000002"}) {
    auto r = RunCli({"--server", server_->address(), "--json", "lookup", "--card", card});
    ASSERT_EQ(r.exit_code, 0) << r.out;
    const json profile = json::parse(r.out)["profile"];
    ASSERT_TRUE(profile["balance"].is_number()) << r.out;
    held += profile["balance"].get<int64_t>();
  }
  ASSERT_GT(held, 0);
  EXPECT_NE(metrics.find("\nloyalty_points_outstanding " + std::to_string(held) + "\n"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("\nloyalty_points_outstanding_value_minor{currency=\"EUR\"} " +
                         std::to_string(held) + "\n"),
            std::string::npos)
      << metrics;
}

TEST_F(AdminReportsTest, TheCliAsksARunningServerThroughItsAdminApi) {
  const std::string chart = dir_.Sub("lifecycle.svg");
  auto r = RunCli({"report", "lifecycle", "--admin", server_->admin_address(), "--token", kViewer,
                   "--json", "--svg", chart});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(json::parse(r.out)["customers"], 2);
  std::ifstream svg(chart);
  std::string first;
  std::getline(svg, first);
  EXPECT_EQ(first.rfind("<svg", 0), 0u);
  EXPECT_EQ(
      RunCli({"report", "nps", "--admin", server_->admin_address(), "--token", kCashier}).exit_code,
      2);
}

}  // namespace
}  // namespace loyalty
