// deploy/: no Docker engine or Kubernetes runs here, so these tests check
// what can be checked without one: the files parse, name the options loyaltyd
// knows, point the probes at /healthz and /readyz, keep the data on a volume
// and give SIGTERM time to drain. (The systemd unit has its own check:
// tools/check_unit.cmake.)
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "adapters/yaml/config_file.h"

namespace loyalty {
namespace {

const std::string kDeploy = std::string(SOURCE_DIR) + "/deploy/";

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Every LOYALTY_* name given is a loyaltyd option (the values are secrets,
// addresses or compose substitutions: not checked here).
void ExpectKnownVariables(const std::vector<std::string>& names) {
  std::vector<std::string> entries;
  for (const auto& n : names) entries.push_back(n + "=");
  config_file::Config c;
  std::vector<std::string> unknown;
  EXPECT_TRUE(config_file::ApplyEnvironment(c, entries, &unknown).ok());
  EXPECT_TRUE(unknown.empty()) << unknown.front();
  EXPECT_FALSE(names.empty());
}

TEST(DeployTest, TheContainerConfigIsValidAndKeepsDataOnTheVolume) {
  auto c = config_file::LoadFile(kDeploy + "container.yaml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(config_file::Validate(*c).ok());
  EXPECT_EQ(c->data_dir, "/var/lib/loyalty");
  EXPECT_EQ(c->admin_listen, "0.0.0.0:7071");
  EXPECT_GT(c->drain_delay_ms, 0);
}

TEST(DeployTest, TheDockerfileCopiesFilesThatExistAndExposesBothListeners) {
  const std::string text = Read(kDeploy + "Dockerfile");
  ASSERT_FALSE(text.empty());
  std::istringstream lines(text);
  std::string line;
  int copies = 0;
  while (std::getline(lines, line)) {
    if (line.rfind("COPY ", 0) != 0 || line.find("--from") != std::string::npos) continue;
    std::istringstream words(line.substr(5));
    std::string source;
    words >> source;
    if (source == ".") continue;
    EXPECT_TRUE(std::filesystem::exists(std::string(SOURCE_DIR) + "/" + source)) << line;
    copies += 1;
  }
  EXPECT_GE(copies, 2);
  EXPECT_NE(text.find("EXPOSE 7070 7071"), std::string::npos);
  EXPECT_NE(text.find("VOLUME /var/lib/loyalty"), std::string::npos);
  EXPECT_NE(text.find("STOPSIGNAL SIGTERM"), std::string::npos);
  EXPECT_NE(text.find("/healthz"), std::string::npos);
  EXPECT_NE(text.find("COPY deploy/container.yaml /etc/loyalty/loyaltyd.yaml"), std::string::npos);
}

TEST(DeployTest, ComposeRunsTheEngineWithRedisAndDrainsOnStop) {
  const YAML::Node compose = YAML::LoadFile(kDeploy + "compose.yaml");
  const YAML::Node engine = compose["services"]["loyaltyd"];
  ASSERT_TRUE(engine.IsMap());
  ASSERT_TRUE(compose["services"]["redis"].IsMap());
  EXPECT_EQ(engine["build"]["dockerfile"].as<std::string>(), "deploy/Dockerfile");
  EXPECT_TRUE(std::filesystem::exists(kDeploy + "../deploy/Dockerfile"));
  std::vector<std::string> env;
  for (const auto& kv : engine["environment"]) {
    env.push_back(kv.first.as<std::string>());
  }
  ExpectKnownVariables(env);
  EXPECT_EQ(engine["environment"]["LOYALTY_REDIS"].as<std::string>(), "redis:6379");
  EXPECT_EQ(engine["stop_grace_period"].as<std::string>(), "60s");
  EXPECT_NE(engine["healthcheck"]["test"][3].as<std::string>().find("/readyz"), std::string::npos);
  EXPECT_EQ(engine["volumes"][0].as<std::string>(), "loyalty-data:/var/lib/loyalty");
}

TEST(DeployTest, TheStatefulSetHasAVolumeProbesAndALongGracePeriod) {
  const auto docs = YAML::LoadAllFromFile(kDeploy + "kubernetes/loyaltyd.yaml");
  YAML::Node set;
  for (const auto& d : docs) {
    if (d["kind"].as<std::string>() == "StatefulSet") set = d;
  }
  ASSERT_TRUE(set.IsMap()) << "no StatefulSet";
  const YAML::Node pod = set["spec"]["template"]["spec"];
  EXPECT_GE(pod["terminationGracePeriodSeconds"].as<int>(), 60);
  const YAML::Node c = pod["containers"][0];
  EXPECT_EQ(c["readinessProbe"]["httpGet"]["path"].as<std::string>(), "/readyz");
  EXPECT_EQ(c["livenessProbe"]["httpGet"]["path"].as<std::string>(), "/healthz");
  EXPECT_EQ(c["livenessProbe"]["httpGet"]["port"].as<std::string>(), "admin");
  bool admin_port = false;
  for (const auto& p : c["ports"]) {
    admin_port |= p["name"].as<std::string>() == "admin" && p["containerPort"].as<int>() == 7071;
  }
  EXPECT_TRUE(admin_port);
  std::vector<std::string> env;
  for (const auto& e : c["env"]) env.push_back(e["name"].as<std::string>());
  ExpectKnownVariables(env);
  const std::string claim =
      set["spec"]["volumeClaimTemplates"][0]["metadata"]["name"].as<std::string>();
  EXPECT_EQ(c["volumeMounts"][0]["name"].as<std::string>(), claim);
  EXPECT_EQ(c["volumeMounts"][0]["mountPath"].as<std::string>(), "/var/lib/loyalty");
  EXPECT_EQ(set["spec"]["replicas"].as<int>(), 1);
}

}  // namespace
}  // namespace loyalty
