// The web console in a real headless Chromium (Debian's chromium, driven by
// playwright-core from tests/console/node_modules) against a real loyaltyd
// whose store holds 100,000 customers (seed.h) and a customer of the
// support desk's story, with the Online Retail data set to simulate on
// (issue 13, "Done when"). console.test.mjs walks through the screens as an
// editor, two publishers and an admin would, checks what they read, writes a
// screenshot of each screen (build/console-screenshots, 1280 px and 390 px
// wide) and prints how long each page took to load; this test prepares the
// world, runs it, and checks what the browser did through the API.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "adapters/yaml/rules_file.h"
#include "tests/console/seed.h"
#include "tests/e2e/admin_fixture.h"

namespace loyalty {
namespace {

using namespace admin_testing;

constexpr const char* kDeskCard = "4242424242424242";

std::string RunShell(const std::string& command, int* exit_code) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) {
    out.append(buf, n);
    std::fwrite(buf, 1, n, stdout);  // ctest --output-on-failure shows the walk-through
  }
  *exit_code = WEXITSTATUS(::pclose(pipe));
  return out;
}

uint64_t Customers() {
  const char* n = std::getenv("CONSOLE_TEST_CUSTOMERS");
  return n != nullptr ? std::stoull(n) : 100'000;
}

TEST(ConsoleBrowserTest, EditorPublisherAndSupportDeskWalkThroughTheConsole) {
  TempDir dir;
  const std::string rules_path = SOURCE_DIR "/deploy/rules.online-retail.yaml";
  auto rules = rules_file::LoadFile(rules_path);
  ASSERT_TRUE(rules.rules) << rules.problems.front().ToString();
  testing::SeedOptions seed{dir.Sub("db"), Customers(), NowMs(), 13};
  ASSERT_TRUE(testing::SeedCustomers(seed, *rules.rules).ok());

  const std::string config =
      WriteConfig(dir, "admin_timeout_ms: 120000\nsimulate_data: " SHARED_DATA_DIR
                       "/online_retail_uci_2010-2011.csv.gz\n");
  ServerProcess server(dir.Sub("db"), {"--config", config, "--rules", rules_path});
  ASSERT_TRUE(server.ok()) << server.Stderr();
  const int port = server.admin_port();
  auto buy = [&](const std::string& txn, const std::string& amount, const std::string& store) {
    return RunCli({"--server", server.address(), "purchase", "--txn", txn, "--store", store,
                   "--card", kDeskCard, "--amount", amount, "--currency", "GBP"})
        .exit_code;
  };
  ASSERT_EQ(buy("DESK-1", "23.40", "S1"), 0);
  ASSERT_EQ(buy("DESK-2", "112.00", "S3"), 0);
  ASSERT_EQ(buy("DESK-3", "8.99", "S1"), 0);
  // A draft in another currency, for the publisher to be refused.
  auto eur = Http(port, "POST", "/v1/rulesets", kEditor, Rules("euro-campaign", 2, "EUR"));
  ASSERT_EQ(eur.status, 201) << eur.body;

  const std::string shots = BUILD_DIR "/console-screenshots";
  std::filesystem::create_directories(shots);
  const std::string env = "BASE_URL=http://127.0.0.1:" + std::to_string(port) + " SHOTS=" + shots +
                          " EDITOR=" + kEditor + " PUBLISHER=" + kPub1 + " PUBLISHER2=" + kPub2 +
                          " ADMIN=" + kAdmin + " VIEWER=" + kViewer + " CARD=" + kDeskCard +
                          " EUR_VERSION=" + std::to_string(Json(eur)["version"].get<int>()) +
                          " CUSTOMERS=" + std::to_string(seed.customers);
  int exit_code = -1;
  const std::string out = RunShell(
      env + " " NODE_PATH " " SOURCE_DIR "/tests/console/console.test.mjs 2>&1", &exit_code);
  ASSERT_EQ(exit_code, 0) << server.Stderr();

  // What the browser did, as the API sees it.
  const json list = Json(Http(port, "GET", "/v1/rulesets", kViewer));
  const int approved = list["active"];
  EXPECT_GT(approved, 2);
  const json v = Json(Http(port, "GET", "/v1/rulesets/" + std::to_string(approved), kViewer));
  EXPECT_EQ(v["author"], "edna");
  EXPECT_EQ(v["activated_by"], "pia");
  EXPECT_EQ(v["submitted_by"], "edna");
  const json statement =
      Json(Http(port, "GET", std::string("/v1/customers/") + kDeskCard + "/ledger", kViewer));
  EXPECT_EQ(statement["entries"][0]["kind"], "adjust");
  EXPECT_EQ(statement["entries"][0]["operator"], "ada");
  for (const char* screen : {"rules-editor-mistake", "rules-simulation", "customer",
                             "report-pareto", "audit", "customer-narrow"}) {
    EXPECT_TRUE(std::filesystem::exists(shots + "/" + screen + ".png")) << screen;
  }
  EXPECT_NE(out.find("timing customer"), std::string::npos);
}

}  // namespace
}  // namespace loyalty
