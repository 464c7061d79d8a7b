// deploy/monitoring: every metric the alert rules and the Grafana dashboard
// name is one a real loyaltyd exports. The server runs with a Redis cache
// (real redis-server), budgeted rules and a sale behind it, so that every
// family it can export has samples; its /metrics is the reference (a
// replicated group's families included: a single node exports them too,
// loyalty_cluster_role{role="single"} 1).
// `promtool check rules` and `promtool test rules` run as their own tests
// (tests/CMakeLists.txt).
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <cctype>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "tests/adapters/redis/redis_server.h"
#include "tests/support/http_client.h"
#include "tests/support/pki.h"
#include "tests/support/requests.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace loyalty {
namespace {

const std::string kMonitoring = std::string(SOURCE_DIR) + "/deploy/monitoring/";

// The metric names a PromQL expression uses: loyalty_* and process_*
// series, and `up`, which Prometheus makes itself.
std::set<std::string> NamesIn(const std::string& expr) {
  static const std::regex kName(R"(\b((?:loyalty|process)_[a-z0-9_]+)\b)");
  std::set<std::string> out;
  for (std::sregex_iterator it(expr.begin(), expr.end(), kName), end; it != end; ++it) {
    out.insert((*it)[1]);
  }
  return out;
}

// Every series name in a Prometheus text exposition.
std::set<std::string> Exported(const std::string& exposition) {
  std::set<std::string> out;
  std::istringstream lines(exposition);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') continue;
    out.insert(line.substr(0, line.find_first_of("{ ")));
  }
  return out;
}

std::vector<std::string> Missing(const std::set<std::string>& used,
                                 const std::set<std::string>& exported) {
  std::vector<std::string> out;
  for (const auto& name : used) {
    if (!exported.count(name)) out.push_back(name);
  }
  return out;
}

std::set<std::string> AlertNames(const std::string& file) {
  std::set<std::string> used;
  const YAML::Node rules = YAML::LoadFile(kMonitoring + file);
  for (const auto& group : rules["groups"]) {
    for (const auto& rule : group["rules"]) {
      for (const auto& n : NamesIn(rule["expr"].as<std::string>())) used.insert(n);
    }
  }
  return used;
}

void CollectExprs(const nlohmann::json& j, std::set<std::string>& used) {
  if (j.is_object()) {
    for (const auto& [key, value] : j.items()) {
      if ((key == "expr" || key == "query" || key == "definition") && value.is_string()) {
        for (const auto& n : NamesIn(value.get<std::string>())) used.insert(n);
      } else {
        CollectExprs(value, used);
      }
    }
  } else if (j.is_array()) {
    for (const auto& v : j) CollectExprs(v, used);
  }
}

std::set<std::string> DashboardNames() {
  std::ifstream in(kMonitoring + "loyaltyd-dashboard.json");
  const nlohmann::json dashboard = nlohmann::json::parse(in);
  std::set<std::string> used;
  CollectExprs(dashboard, used);
  return used;
}

TEST(MonitoringTest, TheCheckNoticesANameNobodyExports) {
  const auto used = NamesIn("rate(loyalty_events_total[5m]) / loyalty_not_a_metric");
  EXPECT_EQ(used, (std::set<std::string>{"loyalty_events_total", "loyalty_not_a_metric"}));
  EXPECT_EQ(Missing(used, {"loyalty_events_total"}),
            std::vector<std::string>{"loyalty_not_a_metric"});
}

// The anchors GitHub gives the headings of a Markdown file: lower case,
// spaces to dashes, other punctuation dropped.
std::set<std::string> Anchors(const std::string& markdown_path) {
  std::set<std::string> out;
  std::ifstream in(markdown_path);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("#", 0) != 0) continue;
    const std::string title = line.substr(line.find_first_not_of('#'));
    std::string anchor;
    for (char ch : title.substr(title.find_first_not_of(' '))) {
      if (std::isalnum(static_cast<unsigned char>(ch))) {
        anchor += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      } else if (ch == ' ' || ch == '-' || ch == '_') {
        anchor += ch == ' ' ? '-' : ch;
      }
    }
    out.insert(anchor);
  }
  return out;
}

// Each alert's runbook is a heading of docs/OPERATIONS.md that exists.
TEST(MonitoringTest, EveryRunbookIsAHeadingOfOperations) {
  const auto anchors = Anchors(std::string(SOURCE_DIR) + "/docs/OPERATIONS.md");
  EXPECT_TRUE(anchors.count("a-replicated-group"));
  int alerts = 0;
  for (const char* file : {"alerts.yaml", "replication-alerts.yaml"}) {
    for (const auto& group : YAML::LoadFile(kMonitoring + file)["groups"]) {
      for (const auto& rule : group["rules"]) {
        const std::string runbook = rule["annotations"]["runbook"].as<std::string>();
        const std::string prefix = "docs/OPERATIONS.md#";
        ASSERT_EQ(runbook.rfind(prefix, 0), 0u) << runbook;
        EXPECT_TRUE(anchors.count(runbook.substr(prefix.size())))
            << file << ": " << rule["alert"].as<std::string>() << "'s runbook " << runbook
            << " is no heading of docs/OPERATIONS.md";
        alerts += 1;
      }
    }
  }
  EXPECT_GE(alerts, 17);
}

TEST(MonitoringTest, AlertsAndDashboardNameOnlyMetricsLoyaltydExports) {
  testing::RedisServer redis;
  ASSERT_TRUE(redis.ok()) << redis.error();
  testing::TempDir dir;
  testing::ServerProcess server(dir.Sub("db"),
                                {"--rules", EXAMPLE_RULES_PATH, "--redis", redis.address()});
  ASSERT_TRUE(server.ok()) << server.Stderr();
  auto client = testing::ConnectAs(server.address());
  ASSERT_TRUE(client.ok());
  auto sale = (*client)->Call(testing::WirePurchase("M-1", "4242", 1234, testing::WallClockMs()));
  ASSERT_TRUE(sale.ok() && sale->has_decision());
  // A refused admin request, so that its family has a sample.
  EXPECT_EQ(testing::Http(server.admin_port(), "GET", "/v1/rulesets").status, 401);
  const auto exported = Exported(testing::Http(server.admin_port(), "GET", "/metrics").body);
  ASSERT_GT(exported.size(), 30u);

  for (const auto& [file, names_min] :
       std::map<std::string, std::size_t>{{"alerts.yaml", 10}, {"replication-alerts.yaml", 3}}) {
    const auto alerts = AlertNames(file);
    EXPECT_GE(alerts.size(), names_min) << file;
    for (const auto& name : Missing(alerts, exported)) {
      ADD_FAILURE() << file << " names " << name << ", which loyaltyd does not export";
    }
  }
  const auto dashboard = DashboardNames();
  EXPECT_GE(dashboard.size(), 25u);
  for (const auto& name : Missing(dashboard, exported)) {
    ADD_FAILURE() << "loyaltyd-dashboard.json names " << name << ", which loyaltyd does not export";
  }
}

}  // namespace
}  // namespace loyalty
