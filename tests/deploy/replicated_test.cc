// deploy/compose.replicated.yaml and deploy/kubernetes/replicated/: a
// replicated group (issue 18; docs/OPERATIONS.md "A replicated group"),
// checked as deploy_test.cc checks one node: the files parse and name only
// options loyaltyd knows, and what each node's configuration comes to
// (deploy/container.yaml, then its LOYALTY_* variables with compose's
// defaults or Kubernetes' downward API filled in) passes loyaltyd's own
// validation. And what a group needs beyond one node: three ZooKeeper
// servers that agree on the ensemble, a name, addresses and a volume of its
// own for every node, registers routed to the primary only, replication and
// ZooKeeper reachable by the group's pods only, secrets read-only.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "tests/deploy/deploy_files.h"

namespace loyalty::deploy {
namespace {

using Env = std::vector<std::pair<std::string, std::string>>;  // name, value, in order

// The words of `text` between separators (any white space when ' ').
std::set<std::string> Words(const std::string& text, char separator = ' ') {
  std::set<std::string> out;
  std::istringstream in(text);
  if (separator == ' ') {
    for (std::string word; in >> word;) out.insert(word);
    return out;
  }
  for (std::string word; std::getline(in, word, separator);) {
    if (!word.empty()) out.insert(word);
  }
  return out;
}

// Peers and registers reach a node at IPv4 addresses: the replication link
// and the register client (adapters/net) take no host names.
bool IPv4(const std::string& host_port) {
  in_addr ip{};
  return inet_pton(AF_INET, host_port.substr(0, host_port.rfind(':')).c_str(), &ip) == 1;
}

// Where peers connect to a node for its batches.
std::string PeerAddress(const config_file::Config& c) {
  return c.replication_advertise.empty() ? c.replication_listen : c.replication_advertise;
}

// deploy/container.yaml with a node's variables applied, as loyaltyd starts:
// every problem loyaltyd's validation finds is a failure.
config_file::Config NodeConfig(const std::string& node, const Env& env) {
  auto c = LoadContainerConfig();
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  if (!c.ok()) return {};
  std::vector<std::string> entries;
  for (const auto& [name, value] : env) entries.push_back(name + "=" + value);
  std::vector<std::string> unknown;
  const Status applied = config_file::ApplyEnvironment(*c, entries, &unknown);
  EXPECT_TRUE(applied.ok()) << node << ": " << applied.ToString();
  for (const auto& name : unknown) ADD_FAILURE() << node << ": " << name << " is not an option";
  for (const auto& problem : config_file::ValidateAll(*c)) ADD_FAILURE() << node << ": " << problem;
  return *c;
}

// ---------------------------------------------------------------------------
// compose.replicated.yaml

const YAML::Node& Compose() {
  static const YAML::Node compose = YAML::LoadFile(kDeploy + "compose.replicated.yaml");
  return compose;
}

// The services prefix1, prefix2, ... in order of their number.
std::vector<std::pair<std::string, YAML::Node>> Numbered(const std::string& prefix) {
  std::vector<std::pair<std::string, YAML::Node>> out;
  const YAML::Node& services = Compose()["services"];
  for (int i = 1; services[prefix + std::to_string(i)]; ++i) {
    out.emplace_back(prefix + std::to_string(i), services[prefix + std::to_string(i)]);
  }
  return out;
}

Env ComposeEnv(const YAML::Node& service) {
  Env env;
  for (const auto& kv : service["environment"]) {
    env.emplace_back(kv.first.as<std::string>(), ComposeDefaults(kv.second.as<std::string>()));
  }
  return env;
}

// The host port a service publishes its container port `target` on (0: none).
int PublishedPort(const YAML::Node& service, int target) {
  for (const auto& p : service["ports"]) {
    const std::string entry = ComposeDefaults(p.as<std::string>());
    if (PortOf(entry) != target) continue;
    const std::string host_side = entry.substr(0, entry.rfind(':'));
    return PortOf(host_side);
  }
  return 0;
}

TEST(ReplicatedDeployTest, ComposeDefaultsAreWhatRunsWhenNothingIsSet) {
  EXPECT_EQ(ComposeDefaults("${BIND:-127.0.0.1}:7070"), "127.0.0.1:7070");
  EXPECT_EQ(ComposeDefaults("${TOKENS:-}"), "");
  EXPECT_EQ(ComposeDefaults("${A}x${B:-y}z"), "xyz");
  EXPECT_EQ(ComposeDefaults("plain"), "plain");
  EXPECT_EQ(PortOf("loyaltyd-1:7072"), 7072);
}

TEST(ReplicatedDeployTest, ComposeRunsAnEnsembleOfThreeZooKeepersThatAgreeOnIt) {
  const auto servers = Numbered("zookeeper-");
  ASSERT_EQ(servers.size(), 3u) << "services zookeeper-1, -2, -3";
  std::set<std::string> ensemble, data;
  for (std::size_t i = 1; i <= servers.size(); ++i) {
    ensemble.insert("server." + std::to_string(i) + "=zookeeper-" + std::to_string(i) +
                    ":2888:3888;2181");
  }
  for (std::size_t i = 0; i < servers.size(); ++i) {
    const auto& [name, s] = servers[i];
    EXPECT_EQ(s["image"].as<std::string>(), "zookeeper:3.8") << name;
    EXPECT_EQ(s["environment"]["ZOO_MY_ID"].as<int>(), static_cast<int>(i) + 1) << name;
    EXPECT_EQ(Words(s["environment"]["ZOO_SERVERS"].as<std::string>()), ensemble) << name;
    EXPECT_FALSE(s["ports"]) << name << ": only the group reaches ZooKeeper";
    EXPECT_TRUE(s["healthcheck"]) << name;
    for (const auto& v : s["volumes"]) {
      const std::string entry = v.as<std::string>();
      if (entry.substr(entry.find(':') + 1) == "/data")
        data.insert(entry.substr(0, entry.find(':')));
    }
  }
  EXPECT_EQ(data.size(), servers.size()) << "a named volume on /data for each server";
}

TEST(ReplicatedDeployTest, ComposeGivesEachNodeItsOwnNameAddressesAndVolume) {
  const auto nodes = Numbered("loyaltyd-");
  ASSERT_EQ(nodes.size(), 3u) << "services loyaltyd-1, -2, -3";
  std::set<std::string> ensemble, ids, volumes;
  for (const auto& [name, s] : Numbered("zookeeper-")) ensemble.insert(name + ":2181");
  for (const auto& [name, s] : nodes) {
    EXPECT_EQ(s["build"]["dockerfile"].as<std::string>(), "deploy/Dockerfile") << name;
    std::vector<std::string> names;
    for (const auto& [n, v] : ComposeEnv(s)) names.push_back(n);
    ExpectKnownVariables(names);
    const auto c = NodeConfig(name, ComposeEnv(s));
    ids.insert(c.node_id);
    EXPECT_EQ(c.node_id, name);
    EXPECT_EQ(Words(c.zookeeper, ','), ensemble) << name;
    EXPECT_EQ(c.replication, "sync") << name;
    EXPECT_EQ(c.replication_tls, "on") << name;
    for (const auto& [zk, server] : Numbered("zookeeper-")) {
      EXPECT_LE(3 * server["environment"]["ZOO_TICK_TIME"].as<int64_t>(), c.zookeeper_session_ms)
          << zk << ": a primary's lease ends before a new primary exists only when the tick "
          << "is at most a third of the session (adapters/zookeeper/README.md)";
    }
    // Peers reach it at its fixed address on the group's network.
    EXPECT_EQ(PeerAddress(c), s["networks"]["group"]["ipv4_address"].as<std::string>() + ":" +
                                  std::to_string(PortOf(c.replication_listen)))
        << name;
    EXPECT_TRUE(IPv4(PeerAddress(c))) << name << ": " << PeerAddress(c);
    // Registers outside compose reach a node at what it advertises: its
    // published register port, on the published address.
    EXPECT_TRUE(IPv4(c.advertise)) << name << ": " << c.advertise;
    EXPECT_TRUE(Loopback(c.advertise.substr(0, c.advertise.rfind(':')))) << name;
    EXPECT_EQ(PortOf(c.advertise), PublishedPort(s, PortOf(c.listen))) << name;
    const std::string data = s["volumes"][0].as<std::string>();
    EXPECT_EQ(data.substr(data.find(':')), ":/var/lib/loyalty") << name;
    volumes.insert(data.substr(0, data.find(':')));
    EXPECT_NE(s["healthcheck"]["test"][3].as<std::string>().find("/healthz"), std::string::npos)
        << name << ": a standby's /readyz is 503 by design";
    EXPECT_EQ(s["stop_grace_period"].as<std::string>(), "60s") << name;
    for (const auto& [zk, server] : Numbered("zookeeper-")) {
      EXPECT_TRUE(s["depends_on"][zk]) << name << " starts before " << zk;
    }
  }
  EXPECT_EQ(ids.size(), nodes.size()) << "two nodes with one node_id";
  EXPECT_EQ(volumes.size(), nodes.size()) << "two nodes on one data volume";
}

TEST(ReplicatedDeployTest, ComposePublishesRegistersAndAdminOnLoopbackOnly) {
  std::set<int> targets, host_ports;
  int published = 0;
  for (const auto& service : Compose()["services"]) {
    const std::string name = service.first.as<std::string>();
    const YAML::Node s = service.second;
    EXPECT_FALSE(s["network_mode"]) << name;
    for (const auto& p : s["ports"]) {
      ASSERT_TRUE(p.IsScalar()) << name << ": write ports as HOST:PUBLISHED:TARGET";
      const std::string entry = p.as<std::string>();
      EXPECT_TRUE(Loopback(PublishedHost(entry)))
          << name << ": '" << entry << "' is published beyond loopback by default";
      targets.insert(PortOf(entry));
      host_ports.insert(PublishedPort(s, PortOf(entry)));
      published += 1;
    }
  }
  EXPECT_EQ(targets, (std::set<int>{7070, 7071})) << "replication and ZooKeeper stay inside";
  EXPECT_EQ(host_ports.size(), static_cast<std::size_t>(published)) << "a host port twice";
}

TEST(ReplicatedDeployTest, ComposeMountsTheSecretsReadOnly) {
  for (const auto& [name, s] : Numbered("loyaltyd-")) {
    std::set<std::string> dirs;
    for (const auto& v : s["volumes"]) {
      const std::string entry = v.as<std::string>();
      if (entry[0] != '.' && entry[0] != '/' && entry[0] != '$') continue;  // the data volume
      EXPECT_EQ(entry.substr(entry.size() - 3), ":ro") << entry << " is a writable host directory";
      const std::string inside = entry.substr(0, entry.size() - 3);
      dirs.insert(inside.substr(inside.rfind(':') + 1));
    }
    EXPECT_EQ(dirs, (std::set<std::string>{"/etc/loyalty/tls", "/etc/loyalty/registers",
                                           "/etc/loyalty/replication"}));
    const auto c = NodeConfig(name, ComposeEnv(s));
    for (const auto& file :
         {c.tls_cert, c.tls_key, c.registers, c.replication_ca, c.replication_secret_file}) {
      EXPECT_TRUE(dirs.count(file.substr(0, file.rfind('/'))))
          << name << ": " << file << " is not in a read-only mount";
    }
    EXPECT_FALSE(s["secrets"]) << "file secrets are single-file binds: a rotated file is not seen";
  }
}

// ---------------------------------------------------------------------------
// kubernetes/replicated/

const std::string kNamespace = "loyalty";  // any: a pod learns its own

std::vector<YAML::Node> Docs(const std::string& file) {
  return YAML::LoadAllFromFile(kDeploy + "kubernetes/replicated/" + file);
}

YAML::Node Named(const std::vector<YAML::Node>& docs, const std::string& kind,
                 const std::string& name) {
  for (const auto& d : docs) {
    if (d["kind"].as<std::string>() == kind && d["metadata"]["name"].as<std::string>() == name) {
      return d;
    }
  }
  return YAML::Node();
}

// Kubernetes' $(NAME) expansion: a variable defined above, else left as is.
std::string Expand(const std::string& value, const Env& above) {
  return Substitute(value, "$(", ')', [&above](const std::string& name) {
    std::string found = "$(" + name + ")";
    for (const auto& [n, v] : above) {
      if (n == name) found = v;
    }
    return found;
  });
}

// The environment of pod `pod`'s first container: the downward API's name,
// namespace and IP filled in, a Secret's value left empty.
Env PodEnv(const YAML::Node& container, const std::string& pod, const std::string& ip = "") {
  Env env;
  for (const auto& e : container["env"]) {
    const std::string name = e["name"].as<std::string>();
    std::string value;
    if (e["value"]) value = Expand(e["value"].as<std::string>(), env);
    if (e["valueFrom"] && e["valueFrom"]["fieldRef"]) {
      const std::string field = e["valueFrom"]["fieldRef"]["fieldPath"].as<std::string>();
      const std::map<std::string, std::string> fields = {
          {"metadata.name", pod}, {"metadata.namespace", kNamespace}, {"status.podIP", ip}};
      EXPECT_TRUE(fields.count(field)) << field;
      value = fields.count(field) ? fields.at(field) : "";
    }
    env.emplace_back(name, value);
  }
  return env;
}

std::map<std::string, int> ContainerPorts(const YAML::Node& container) {
  std::map<std::string, int> ports;
  for (const auto& p : container["ports"]) {
    ports[p["name"].as<std::string>()] = p["containerPort"].as<int>();
  }
  return ports;
}

// The StatefulSet's serviceName: a headless Service whose names exist before
// the pods are Ready (standbys never are; ZooKeeper is not before a quorum).
void ExpectStableNamesBeforeReadiness(const std::vector<YAML::Node>& docs, const YAML::Node& set) {
  const std::string name = set["spec"]["serviceName"].as<std::string>();
  const YAML::Node service = Named(docs, "Service", name);
  ASSERT_TRUE(service.IsMap()) << "no Service " << name;
  EXPECT_EQ(service["spec"]["clusterIP"].as<std::string>(), "None") << name;
  EXPECT_TRUE(service["spec"]["publishNotReadyAddresses"].as<bool>()) << name;
  EXPECT_EQ(set["spec"]["podManagementPolicy"].as<std::string>(), "Parallel")
      << "OrderedReady starts no pod after one that is not Ready";
}

TEST(ReplicatedDeployTest, TheZooKeeperStatefulSetIsAnEnsembleOfThreeThatAgreesOnIt) {
  const auto docs = Docs("zookeeper.yaml");
  const YAML::Node set = Find(docs, "StatefulSet");
  ASSERT_TRUE(set.IsMap());
  const int replicas = set["spec"]["replicas"].as<int>();
  EXPECT_EQ(replicas, 3);
  ExpectStableNamesBeforeReadiness(docs, set);
  const YAML::Node c = set["spec"]["template"]["spec"]["containers"][0];
  EXPECT_EQ(c["image"].as<std::string>(), "zookeeper:3.8");
  const auto ports = ContainerPorts(c);
  std::set<std::string> ensemble;
  const std::string stem = set["metadata"]["name"].as<std::string>() + "-";
  const std::string domain = "." + set["spec"]["serviceName"].as<std::string>() + ":";
  for (int i = 0; i < replicas; ++i) {
    ensemble.insert("server." + std::to_string(i + 1) + "=" + stem + std::to_string(i) + domain +
                    std::to_string(ports.at("quorum")) + ":" +
                    std::to_string(ports.at("election")) + ";" +
                    std::to_string(ports.at("client")));
  }
  std::string command;
  for (const auto& word : c["command"]) command += word.as<std::string>() + " ";
  EXPECT_NE(command.find("ZOO_MY_ID=$(( ${HOSTNAME##*-} + 1 ))"), std::string::npos)
      << "server.N is the pod of ordinal N-1";
  for (const auto& [name, value] : PodEnv(c, stem + "0")) {
    if (name == "ZOO_SERVERS") {
      EXPECT_EQ(Words(value), ensemble);
    }
    EXPECT_NE(name, "ZOO_MY_ID") << "one value for every pod";
  }
  EXPECT_TRUE(c["readinessProbe"]) << "Ready: in a quorum";
  const std::string claim =
      set["spec"]["volumeClaimTemplates"][0]["metadata"]["name"].as<std::string>();
  EXPECT_EQ(c["volumeMounts"][0]["name"].as<std::string>(), claim);
  EXPECT_EQ(c["volumeMounts"][0]["mountPath"].as<std::string>(), "/data");
  const YAML::Node budget = Find(docs, "PodDisruptionBudget");
  ASSERT_TRUE(budget.IsMap());
  EXPECT_EQ(budget["spec"]["selector"]["matchLabels"]["app"].as<std::string>(), "zookeeper");
  EXPECT_EQ(budget["spec"]["maxUnavailable"].as<int>(), 1) << "two of three keep the quorum";
}

struct Group {
  std::vector<YAML::Node> docs = Docs("loyaltyd.yaml");
  std::vector<YAML::Node> zk = Docs("zookeeper.yaml");
  YAML::Node set = Find(docs, "StatefulSet");
  YAML::Node pod = set["spec"]["template"];
  YAML::Node container = pod["spec"]["containers"][0];
  std::string app = pod["metadata"]["labels"]["app"].as<std::string>();
};

TEST(ReplicatedDeployTest, TheLoyaltydStatefulSetIsThreeNodesEachWithItsVolume) {
  const Group g;
  ASSERT_TRUE(g.set.IsMap());
  EXPECT_EQ(g.set["spec"]["replicas"].as<int>(), 3);
  ExpectStableNamesBeforeReadiness(g.docs, g.set);
  EXPECT_EQ(g.set["spec"]["updateStrategy"]["type"].as<std::string>(), "OnDelete")
      << "a rolling update waits for each pod to be Ready, which a standby never is";
  EXPECT_GE(g.pod["spec"]["terminationGracePeriodSeconds"].as<int>(), 60);
  const YAML::Node c = g.container;
  EXPECT_EQ(c["readinessProbe"]["httpGet"]["path"].as<std::string>(), "/readyz");
  for (const char* probe : {"startupProbe", "livenessProbe"}) {
    EXPECT_EQ(c[probe]["httpGet"]["path"].as<std::string>(), "/healthz") << probe;
  }
  for (const char* probe : {"startupProbe", "livenessProbe", "readinessProbe"}) {
    EXPECT_EQ(c[probe]["httpGet"]["port"].as<std::string>(), "admin") << probe;
  }
  const std::string claim =
      g.set["spec"]["volumeClaimTemplates"][0]["metadata"]["name"].as<std::string>();
  EXPECT_EQ(c["volumeMounts"][0]["name"].as<std::string>(), claim);
  EXPECT_EQ(c["volumeMounts"][0]["mountPath"].as<std::string>(), "/var/lib/loyalty");
  bool named_by_the_pod = false;
  for (const auto& e : c["env"]) {
    named_by_the_pod |=
        e["name"].as<std::string>() == "LOYALTY_NODE_ID" &&
        e["valueFrom"]["fieldRef"]["fieldPath"].as<std::string>() == "metadata.name";
  }
  EXPECT_TRUE(named_by_the_pod) << "node_id from the pod's name (downward API)";
}

// Each pod's configuration, as it starts: valid, naming itself, its peers'
// and the ensemble's addresses as the Services make them.
TEST(ReplicatedDeployTest, EachPodStartsWithAValidConfigurationThatNamesItself) {
  const Group g;
  const auto ports = ContainerPorts(g.container);
  std::vector<std::string> names, raw_values;
  for (const auto& e : g.container["env"]) {
    names.push_back(e["name"].as<std::string>());
    if (e["value"]) raw_values.push_back(e["value"].as<std::string>());
  }
  std::vector<std::string> options;
  for (const auto& name : names) {
    if (name.rfind("LOYALTY_", 0) == 0) {
      options.push_back(name);
      continue;
    }
    bool used = false;  // a helper for $(NAME) in a LOYALTY_ value, else a mistake
    for (const auto& value : raw_values) used |= value.find("$(" + name + ")") != std::string::npos;
    EXPECT_TRUE(used) << name << " is neither an option nor used by one";
  }
  ExpectKnownVariables(options);
  const YAML::Node zk_set = Find(g.zk, "StatefulSet");
  std::set<std::string> ensemble;
  for (int i = 0; i < zk_set["spec"]["replicas"].as<int>(); ++i) {
    ensemble.insert(zk_set["metadata"]["name"].as<std::string>() + "-" + std::to_string(i) + "." +
                    zk_set["spec"]["serviceName"].as<std::string>() + ":" +
                    std::to_string(ContainerPorts(
                        zk_set["spec"]["template"]["spec"]["containers"][0])["client"]));
  }
  int64_t tick_ms = 0;
  for (const auto& [name, value] :
       PodEnv(zk_set["spec"]["template"]["spec"]["containers"][0], "")) {
    if (name == "ZOO_TICK_TIME") tick_ms = std::stoll(value);
  }
  ASSERT_GT(tick_ms, 0) << "ZOO_TICK_TIME: the lease's margin depends on it";
  for (int i = 0; i < g.set["spec"]["replicas"].as<int>(); ++i) {
    const std::string pod = g.set["metadata"]["name"].as<std::string>() + "-" + std::to_string(i);
    const std::string ip = "10.244." + std::to_string(i) + ".17";
    const auto c = NodeConfig(pod, PodEnv(g.container, pod, ip));
    EXPECT_EQ(c.node_id, pod);
    EXPECT_EQ(c.advertise, ip + ":" + std::to_string(ports.at("registers")));
    EXPECT_EQ(PeerAddress(c), ip + ":" + std::to_string(ports.at("replication")));
    EXPECT_EQ(PortOf(c.listen), ports.at("registers"));
    EXPECT_EQ(PortOf(c.admin_listen), ports.at("admin"));
    EXPECT_EQ(PortOf(c.replication_listen), ports.at("replication"));
    EXPECT_EQ(Words(c.zookeeper, ','), ensemble) << pod;
    EXPECT_LE(3 * tick_ms, c.zookeeper_session_ms) << pod << ": see the compose test";
    EXPECT_EQ(c.replication, "sync") << pod;
    EXPECT_EQ(c.replication_tls, "on") << pod;
  }
}

TEST(ReplicatedDeployTest, TheNodesMountTheirSecretsReadOnlyWithOwnerOnlyModes) {
  const Group g;
  const auto c = NodeConfig("loyaltyd-0", PodEnv(g.container, "loyaltyd-0", "10.244.0.17"));
  std::set<std::string> wanted = {c.tls_cert, c.tls_key, c.registers, c.replication_ca,
                                  c.replication_secret_file};
  std::set<std::string> secrets;
  for (const auto& file : MountedSecretFiles(g.pod["spec"], &secrets)) wanted.erase(file);
  EXPECT_TRUE(wanted.empty()) << *wanted.begin() << " is not mounted from a secret";
  EXPECT_EQ(secrets,
            (std::set<std::string>{"loyaltyd-tls", "loyaltyd-registers", "loyaltyd-replication"}));
  EXPECT_TRUE(g.pod["spec"]["securityContext"]["runAsNonRoot"].as<bool>());
}

// Registers reach the primary only: every Service but the peers' headless one
// routes by readiness, and the register port alone leaves the cluster.
TEST(ReplicatedDeployTest, OnlyThePrimaryIsBehindTheRegistersServices) {
  const Group g;
  const auto ports = ContainerPorts(g.container);
  bool outside = false;
  for (const auto& d : g.docs) {
    if (d["kind"].as<std::string>() != "Service") continue;
    const std::string name = d["metadata"]["name"].as<std::string>();
    EXPECT_EQ(d["spec"]["selector"]["app"].as<std::string>(), g.app) << name;
    const bool peers = name == g.set["spec"]["serviceName"].as<std::string>();
    if (!peers) {
      EXPECT_FALSE(d["spec"]["publishNotReadyAddresses"]) << name << " would route to standbys";
    }
    const std::string type = d["spec"]["type"] ? d["spec"]["type"].as<std::string>() : "ClusterIP";
    for (const auto& p : d["spec"]["ports"]) {
      const std::string target = p["targetPort"].as<std::string>();
      EXPECT_TRUE(ports.count(target)) << name << ": no container port " << target;
      EXPECT_TRUE(peers || target != "replication") << name << ": replication is for peers";
      if (type == "LoadBalancer" || type == "NodePort") {
        EXPECT_EQ(target, "registers") << name << " exposes more than registers";
        EXPECT_EQ(d["spec"]["externalTrafficPolicy"].as<std::string>(), "Local") << name;
        outside = true;
      }
    }
  }
  EXPECT_TRUE(outside) << "no Service registers outside the cluster can reach";
}

// Only the group's pods reach replication; only loyaltyd reaches ZooKeeper's
// clients' port, only ZooKeeper its quorum and election ports.
TEST(ReplicatedDeployTest, TheNetworkPoliciesFenceReplicationAndZooKeeper) {
  const Group g;
  const YAML::Node policy = Find(g.docs, "NetworkPolicy");
  ASSERT_TRUE(policy.IsMap()) << "no NetworkPolicy for loyaltyd";
  EXPECT_EQ(policy["spec"]["podSelector"]["matchLabels"]["app"].as<std::string>(), g.app);
  const int replication = ContainerPorts(g.container).at("replication");
  EXPECT_EQ(CheckIngressRules(policy, {7070}),
            (std::map<int, int>{{7070, 1}, {7071, 1}, {replication, 1}}));
  // Which pods each port of a policy admits (podSelector app), "other" for
  // any other kind of source.
  auto sources = [](const YAML::Node& p) {
    std::map<int, std::set<std::string>> out;
    for (const auto& rule : p["spec"]["ingress"]) {
      for (const auto& peer : rule["from"]) {
        const int port = rule["ports"][0]["port"].as<int>();
        const bool pods = peer.size() == 1 && peer["podSelector"];
        out[port].insert(pods ? peer["podSelector"]["matchLabels"]["app"].as<std::string>()
                              : "other");
      }
    }
    return out;
  };
  EXPECT_EQ(sources(policy)[replication], std::set<std::string>{g.app});
  const YAML::Node zk_policy = Find(g.zk, "NetworkPolicy");
  ASSERT_TRUE(zk_policy.IsMap()) << "no NetworkPolicy for ZooKeeper";
  const YAML::Node zk_set = Find(g.zk, "StatefulSet");
  const std::string zk_app =
      zk_set["spec"]["template"]["metadata"]["labels"]["app"].as<std::string>();
  EXPECT_EQ(zk_policy["spec"]["podSelector"]["matchLabels"]["app"].as<std::string>(), zk_app);
  const auto zk_ports = ContainerPorts(zk_set["spec"]["template"]["spec"]["containers"][0]);
  EXPECT_EQ(CheckIngressRules(zk_policy, {}), (std::map<int, int>{{zk_ports.at("client"), 1},
                                                                  {zk_ports.at("quorum"), 1},
                                                                  {zk_ports.at("election"), 1}}));
  const auto zk_sources = sources(zk_policy);
  EXPECT_EQ(zk_sources.at(zk_ports.at("client")), std::set<std::string>{g.app});
  EXPECT_EQ(zk_sources.at(zk_ports.at("quorum")), std::set<std::string>{zk_app});
  EXPECT_EQ(zk_sources.at(zk_ports.at("election")), std::set<std::string>{zk_app});
}

// Readiness means "primary", so a budget counts the primary alone. minAvailable
// 1 keeps a drain from evicting it (hand over first) and lets standbys go;
// maxUnavailable 1 would want two Ready pods and block every eviction.
TEST(ReplicatedDeployTest, ADrainNeverEvictsThePrimary) {
  const Group g;
  const YAML::Node budget = Find(g.docs, "PodDisruptionBudget");
  ASSERT_TRUE(budget.IsMap()) << "no PodDisruptionBudget";
  EXPECT_EQ(budget["spec"]["selector"]["matchLabels"]["app"].as<std::string>(), g.app);
  EXPECT_EQ(budget["spec"]["minAvailable"].as<int>(), 1);
  EXPECT_FALSE(budget["spec"]["maxUnavailable"]);
}

}  // namespace
}  // namespace loyalty::deploy
