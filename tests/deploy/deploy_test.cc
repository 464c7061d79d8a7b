// deploy/: no Docker engine or Kubernetes runs here, so these tests check
// what can be checked without one: the files parse, name the options loyaltyd
// knows, point the probes at /healthz and /readyz, keep the data on a volume
// and give SIGTERM time to drain. And what docs/SECURITY.md promises of them:
// nothing published on every interface, a NetworkPolicy for both ports, the
// certificate, key and registers file mounted read-only from secrets with
// owner-only modes, and register_tls never off. And that the runtime image
// installs every library loyaltyd is linked with. (The systemd unit is also
// checked by tools/check_unit.cmake; the replicated group's files by
// replicated_test.cc.)
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <sstream>

#include "tests/deploy/deploy_files.h"

namespace loyalty::deploy {
namespace {

TEST(DeployTest, TheContainerConfigIsValidAndKeepsDataOnTheVolume) {
  auto c = LoadContainerConfig();
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

// ---------------------------------------------------------------------------
// Security of the deploy files (docs/SECURITY.md, "Deployment").

TEST(DeployTest, PublishedHostReadsEveryFormOfAComposePort) {
  EXPECT_EQ(PublishedHost("7070:7070"), "");
  EXPECT_EQ(PublishedHost("7070"), "");
  EXPECT_EQ(PublishedHost("0.0.0.0:7070:7070"), "0.0.0.0");
  EXPECT_EQ(PublishedHost("127.0.0.1:7071:7071"), "127.0.0.1");
  EXPECT_EQ(PublishedHost("${BIND:-127.0.0.1}:7070:7070"), "127.0.0.1");
  EXPECT_EQ(PublishedHost("${BIND}:7070:7070"), "");
  EXPECT_EQ(PublishedHost("[::1]:7070:7070"), "[::1]");
  EXPECT_EQ(Mode(YAML::Load("0400")), 0400);
  EXPECT_EQ(Mode(YAML::Load("384")), 0600);
  EXPECT_TRUE(OwnerOnly(0400));
  EXPECT_TRUE(OwnerOnly(0600));
  EXPECT_FALSE(OwnerOnly(0640));
  EXPECT_FALSE(OwnerOnly(0644));
  EXPECT_FALSE(OwnerOnly(0700));
}

TEST(DeployTest, ComposePublishesBothPortsOnLoopbackOnlyByDefault) {
  const YAML::Node compose = YAML::LoadFile(kDeploy + "compose.yaml");
  std::set<int> targets;
  for (const auto& service : compose["services"]) {
    const std::string name = service.first.as<std::string>();
    const YAML::Node s = service.second;
    EXPECT_FALSE(s["network_mode"] && s["network_mode"].as<std::string>() == "host") << name;
    for (const auto& p : s["ports"]) {
      if (p.IsMap()) {  // long syntax
        ASSERT_TRUE(p["host_ip"]) << name << ": a port without host_ip is on every interface";
        EXPECT_TRUE(Loopback(p["host_ip"].as<std::string>())) << name;
        targets.insert(p["target"].as<int>());
        continue;
      }
      const std::string entry = p.as<std::string>();
      EXPECT_TRUE(Loopback(PublishedHost(entry)))
          << name << ": '" << entry << "' is published beyond loopback by default";
      targets.insert(std::stoi(entry.substr(entry.rfind(':') + 1)));
    }
  }
  EXPECT_EQ(targets, (std::set<int>{7070, 7071}));
  EXPECT_FALSE(compose["services"]["redis"]["ports"]) << "Redis is for loyaltyd only";
  std::istringstream lines(Read(kDeploy + "compose.yaml"));
  std::string line;
  while (std::getline(lines, line)) {
    line = line.substr(0, line.find('#'));
    EXPECT_EQ(line.find("0.0.0.0"), std::string::npos) << line;
  }
}

TEST(DeployTest, ComposeMountsTheSecretsReadOnly) {
  const YAML::Node engine = YAML::LoadFile(kDeploy + "compose.yaml")["services"]["loyaltyd"];
  std::set<std::string> secret_dirs;
  for (const auto& v : engine["volumes"]) {
    const std::string entry = v.as<std::string>();
    const bool bind = entry[0] == '.' || entry[0] == '/' || entry[0] == '$';
    if (!bind) continue;  // a named volume: the data
    EXPECT_EQ(entry.substr(entry.size() - 3), ":ro") << entry << " is a writable host directory";
    const std::string inside = entry.substr(0, entry.size() - 3);
    secret_dirs.insert(inside.substr(inside.rfind(':') + 1));
  }
  EXPECT_EQ(secret_dirs, (std::set<std::string>{"/etc/loyalty/tls", "/etc/loyalty/registers"}));
  EXPECT_FALSE(engine["secrets"])
      << "file secrets are single-file binds: a rotated file is not seen";
}

TEST(DeployTest, TheContainerTurnsTlsOnWithSecretsFromMounts) {
  const YAML::Node c = YAML::LoadFile(kDeploy + "container.yaml");
  EXPECT_EQ(c["register_tls"].as<std::string>(), "on");
  EXPECT_EQ(c["tls_cert"].as<std::string>(), "/etc/loyalty/tls/tls.crt");
  EXPECT_EQ(c["tls_key"].as<std::string>(), "/etc/loyalty/tls/tls.key");
  EXPECT_EQ(c["registers"].as<std::string>(), "/etc/loyalty/registers/registers");
}

TEST(DeployTest, TheStatefulSetMountsSecretsReadOnlyWithOwnerOnlyModes) {
  const auto docs = YAML::LoadAllFromFile(kDeploy + "kubernetes/loyaltyd.yaml");
  const YAML::Node pod = Find(docs, "StatefulSet")["spec"]["template"]["spec"];
  ASSERT_TRUE(pod.IsMap());
  const YAML::Node config = YAML::LoadFile(kDeploy + "container.yaml");
  // Every file the container config names, found in a secret volume.
  std::set<std::string> wanted = {config["tls_cert"].as<std::string>(),
                                  config["tls_key"].as<std::string>(),
                                  config["registers"].as<std::string>()};
  std::set<std::string> secrets;
  for (const auto& file : MountedSecretFiles(pod, &secrets)) wanted.erase(file);
  EXPECT_TRUE(wanted.empty()) << *wanted.begin() << " is not mounted from a secret";
  EXPECT_EQ(secrets, (std::set<std::string>{"loyaltyd-tls", "loyaltyd-registers"}));
  EXPECT_EQ(pod["securityContext"]["runAsNonRoot"].as<bool>(), true);
}

TEST(DeployTest, TheNetworkPolicyLetsOnlyTillsToRegistersAndAdminsToTheAdminPort) {
  const auto docs = YAML::LoadAllFromFile(kDeploy + "kubernetes/loyaltyd.yaml");
  const YAML::Node policy = Find(docs, "NetworkPolicy");
  ASSERT_TRUE(policy.IsMap()) << "no NetworkPolicy";
  const YAML::Node set = Find(docs, "StatefulSet");
  EXPECT_EQ(policy["spec"]["podSelector"]["matchLabels"]["app"].as<std::string>(),
            set["spec"]["template"]["metadata"]["labels"]["app"].as<std::string>());
  EXPECT_EQ(CheckIngressRules(policy, {7070}), (std::map<int, int>{{7070, 1}, {7071, 1}}));
}

// register_tls: off is for a developer's loopback only; no deploy file sets it
// (config key, LOYALTY_REGISTER_TLS, or --register-tls), commented lines aside.
// Nor replication_tls: off, plaintext between a group's nodes.
TEST(DeployTest, NoDeployFileTurnsRegisterTlsOff) {
  const std::regex off(R"(((register|replication)[_-]tls)["']?\s*[:=\s]\s*["']?(off|false|no|0)\b)",
                       std::regex::icase);
  int files = 0;
  for (const auto& f : std::filesystem::recursive_directory_iterator(kDeploy)) {
    if (!f.is_regular_file()) continue;
    files += 1;
    std::istringstream lines(Read(f.path().string()));
    std::string line;
    int number = 0;
    while (std::getline(lines, line)) {
      number += 1;
      line = line.substr(0, line.find('#'));
      EXPECT_FALSE(std::regex_search(line, off)) << f.path() << ":" << number << ": " << line;
    }
  }
  EXPECT_GE(files, 6);
  EXPECT_TRUE(std::regex_search("LOYALTY_REGISTER_TLS=off", off));
  EXPECT_TRUE(std::regex_search("register_tls: off", off));
  EXPECT_TRUE(std::regex_search("--register-tls off", off));
  EXPECT_TRUE(std::regex_search("LOYALTY_REPLICATION_TLS: \"off\"", off));
  EXPECT_FALSE(std::regex_search("register_tls: on", off));
}

TEST(DeployTest, TheDockerfilePublishesOnANamedAddressInItsExample) {
  std::istringstream lines(Read(kDeploy + "Dockerfile"));
  std::string line;
  int publishes = 0;
  while (std::getline(lines, line)) {
    for (std::size_t at = line.find("-p "); at != std::string::npos;
         at = line.find("-p ", at + 3)) {
      std::istringstream word(line.substr(at + 3));
      std::string entry;
      word >> entry;
      EXPECT_TRUE(Loopback(PublishedHost(entry))) << line;
      publishes += 1;
    }
  }
  EXPECT_GE(publishes, 2);
}

std::string Run(const std::string& command) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  std::string out;
  if (!pipe) return out;
  std::array<char, 4096> buffer;
  while (std::size_t n = fread(buffer.data(), 1, buffer.size(), pipe.get())) {
    out.append(buffer.data(), n);
  }
  return out;
}

// The shared libraries a binary names itself (ELF NEEDED), e.g. libjemalloc.so.2.
std::vector<std::string> Needed(const std::string& binary) {
  static const std::regex kNeeded(R"(\(NEEDED\)\s+Shared library: \[([^\]]+)\])");
  const std::string dynamic = Run("readelf -d '" + binary + "'");
  std::vector<std::string> out;
  for (std::sregex_iterator it(dynamic.begin(), dynamic.end(), kNeeded), end; it != end; ++it) {
    out.push_back((*it)[1]);
  }
  return out;
}

// The Debian packages that installed these libraries on this machine
// (Debian 12, as the image), by file name: libjemalloc.so.2 -> libjemalloc2.
// The ones in the multiarch directory (/lib32/libm.so.6 is libc6-i386's).
std::map<std::string, std::string> PackagesOf(const std::vector<std::string>& sonames) {
  std::string command = "dpkg -S";
  for (const auto& soname : sonames) command += " '*-linux-gnu/" + soname + "'";
  std::istringstream lines(Run(command + " 2>/dev/null"));
  std::map<std::string, std::string> out;  // "libjemalloc2:amd64: /usr/lib/.../libjemalloc.so.2"
  for (std::string line; std::getline(lines, line);) {
    out[line.substr(line.rfind('/') + 1)] = line.substr(0, line.find_first_of(":, "));
  }
  return out;
}

// Debian 12's slim image has these (the C and C++ runtimes, zlib: dpkg needs it).
const std::set<std::string> kInBookwormSlim = {"libc6", "libgcc-s1", "libstdc++6", "zlib1g"};

// A library missing from the runtime stage fails only when the container
// starts ("error while loading shared libraries"), so every library loyaltyd
// is linked with is looked up in the runtime stage's install line, as the
// package this machine has it from.
TEST(DeployTest, TheRuntimeImageInstallsEveryLibraryLoyaltydIsLinkedWith) {
  const std::string dockerfile = Read(kDeploy + "Dockerfile");
  const std::string runtime = dockerfile.substr(dockerfile.rfind("\nFROM "));
  std::set<std::string> installed;
  std::istringstream words(runtime.substr(0, runtime.find("&& rm -rf /var/lib/apt/lists")));
  for (std::string word; words >> word;) installed.insert(word);
  const auto needed = Needed(LOYALTYD_PATH);
  ASSERT_GE(needed.size(), 5u) << "readelf -d " << LOYALTYD_PATH;
  const auto packages = PackagesOf(needed);
  for (const auto& soname : needed) {
    ASSERT_TRUE(packages.count(soname)) << "no Debian package has " << soname << " (dpkg -S)";
    const std::string& package = packages.at(soname);
    EXPECT_TRUE(installed.count(package) || kInBookwormSlim.count(package))
        << "loyaltyd needs " << soname << ": add " << package
        << " to the runtime stage of deploy/Dockerfile";
  }
}

// The unit reads the secrets in place as a fixed user (DynamicUser= could not
// own 0600 files), creates nothing readable by others, and its install notes
// put the secrets in 0700 directories as 0600 files.
TEST(DeployTest, TheSystemdUnitReadsOwnerOnlySecretsAsItsOwnUser) {
  const std::string unit = Read(kDeploy + "loyaltyd.service");
  ASSERT_FALSE(unit.empty());
  for (const char* line :
       {"\nUser=loyalty\n", "\nUMask=0077\n", "\nNoNewPrivileges=yes\n", "\nProtectSystem=strict\n",
        "\nReadOnlyPaths=/etc/loyalty\n", "\nCapabilityBoundingSet=\n",
        "\nExecReload=/bin/kill -HUP $MAINPID\n"}) {
    EXPECT_NE(unit.find(line), std::string::npos) << line;
  }
  EXPECT_EQ(unit.find("\nDynamicUser=yes"), std::string::npos);
  EXPECT_EQ(unit.find("\nLoadCredential"), std::string::npos) << "copied once: SIGHUP misses it";
  EXPECT_NE(unit.find("install -d -m 700 -o loyalty -g loyalty /etc/loyalty/tls"),
            std::string::npos);
  EXPECT_NE(unit.find("install -m 600 -o loyalty -g loyalty server.key /etc/loyalty/tls/tls.key"),
            std::string::npos);
  // The config may hold admin tokens: root's, readable by loyaltyd's group only.
  EXPECT_NE(unit.find("install -D -m 640 -o root -g loyalty deploy/loyaltyd.example.yaml "
                      "/etc/loyalty/loyaltyd.yaml"),
            std::string::npos);
  for (const char* key :
       {"register_tls: on", "tls_cert: /etc/loyalty/tls/tls.crt",
        "tls_key: /etc/loyalty/tls/tls.key", "registers: /etc/loyalty/registers/registers"}) {
    EXPECT_NE(unit.find(key), std::string::npos) << key;
  }
}

// The build context is the repository: what git ignores (build trees, a dev
// server's ./var with customers' data, secrets) stays out of it too.
TEST(DeployTest, TheDockerBuildContextLeavesOutWhatGitIgnores) {
  std::set<std::string> ignored;
  std::istringstream docker(Read(std::string(SOURCE_DIR) + "/.dockerignore"));
  std::string line;
  while (std::getline(docker, line)) {
    if (!line.empty() && line[0] != '#') ignored.insert(line);
  }
  std::istringstream git(Read(std::string(SOURCE_DIR) + "/.gitignore"));
  int entries = 0;
  while (std::getline(git, line)) {
    if (line.empty() || line[0] == '#') continue;
    entries += 1;
    // .gitignore: "/x" is at the top, "x" at any depth; .dockerignore: "x"
    // is at the top, "**/x" at any depth.
    const std::string want = line[0] == '/' ? line.substr(1) : "**/" + line;
    EXPECT_TRUE(ignored.count(want))
        << ".dockerignore lacks " << want << " (.gitignore: " << line << ")";
  }
  EXPECT_GE(entries, 3);
  EXPECT_TRUE(ignored.count("var/")) << "a dev server's data";
  EXPECT_FALSE(ignored.count(".git")) << "--version in the image names its commit from it";
}

// Tills outside the cluster reach the register port through a Service of
// type LoadBalancer or NodePort that keeps their address; the admin port is
// never exposed that way. Every Service port and probe names a port the
// container has, and those are the ports the container's config listens on.
// No Redis is named that the file does not run.
TEST(DeployTest, TheKubernetesFilesWorkAsShipped) {
  const auto docs = YAML::LoadAllFromFile(kDeploy + "kubernetes/loyaltyd.yaml");
  const YAML::Node pod = Find(docs, "StatefulSet")["spec"]["template"];
  const YAML::Node c = pod["spec"]["containers"][0];
  std::map<std::string, int> ports;
  for (const auto& p : c["ports"])
    ports[p["name"].as<std::string>()] = p["containerPort"].as<int>();
  const YAML::Node config = YAML::LoadFile(kDeploy + "container.yaml");
  auto port_of = [](const std::string& listen) {
    return std::stoi(listen.substr(listen.rfind(':') + 1));
  };
  EXPECT_EQ(ports["registers"], port_of(config["listen"].as<std::string>()));
  EXPECT_EQ(ports["admin"], port_of(config["admin_listen"].as<std::string>()));
  for (const char* probe : {"startupProbe", "livenessProbe", "readinessProbe"}) {
    ASSERT_TRUE(c[probe]) << probe;
    EXPECT_EQ(c[probe]["httpGet"]["port"].as<std::string>(), "admin") << probe;
  }
  bool outside = false;
  std::set<std::string> services;
  for (const auto& d : docs) {
    if (d["kind"].as<std::string>() != "Service") continue;
    services.insert(d["metadata"]["name"].as<std::string>());
    EXPECT_EQ(d["spec"]["selector"]["app"].as<std::string>(),
              pod["metadata"]["labels"]["app"].as<std::string>());
    const std::string type = d["spec"]["type"] ? d["spec"]["type"].as<std::string>() : "ClusterIP";
    for (const auto& p : d["spec"]["ports"]) {
      const std::string target = p["targetPort"].as<std::string>();
      EXPECT_TRUE(ports.count(target))
          << "Service port to " << target << ": no such container port";
      if (type == "LoadBalancer" || type == "NodePort") {
        EXPECT_EQ(target, "registers") << "the admin port is exposed outside the cluster";
        EXPECT_EQ(d["spec"]["externalTrafficPolicy"].as<std::string>(), "Local")
            << "the NetworkPolicy's ipBlock needs the till's address";
        outside = true;
      }
    }
  }
  EXPECT_TRUE(outside) << "no Service registers outside the cluster can reach";
  for (const auto& e : c["env"]) {
    if (e["name"].as<std::string>() != "LOYALTY_REDIS") continue;
    const std::string host = e["value"].as<std::string>();
    EXPECT_TRUE(services.count(host.substr(0, host.find(':'))))
        << "LOYALTY_REDIS names " << host << ", which this file does not run";
  }
}

}  // namespace
}  // namespace loyalty::deploy
