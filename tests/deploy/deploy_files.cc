#include "tests/deploy/deploy_files.h"

#include <algorithm>
#include <fstream>
#include <functional>
#include <sstream>

namespace loyalty::deploy {

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void ExpectKnownVariables(const std::vector<std::string>& names) {
  std::vector<std::string> entries;
  for (const auto& n : names) entries.push_back(n + "=");
  config_file::Config c;
  std::vector<std::string> unknown;
  config_file::Problems empty_values;  // an empty number: not what is checked here
  config_file::ApplyEnvironment(c, entries, &unknown, empty_values);
  EXPECT_TRUE(unknown.empty()) << unknown.front();
  EXPECT_FALSE(names.empty());
}

Result<config_file::Config> LoadContainerConfig() {
  return config_file::LoadFile(kDeploy + "container.yaml");
}

int Mode(const YAML::Node& n) {
  const std::string text = n.as<std::string>();
  if (text.rfind("0o", 0) == 0) return std::stoi(text.substr(2), nullptr, 8);
  return text.size() > 1 && text[0] == '0' ? std::stoi(text, nullptr, 8) : std::stoi(text);
}

bool OwnerOnly(int mode) { return (mode & 0177) == 0 && mode != 0; }

bool Loopback(const std::string& host) {
  return host == "127.0.0.1" || host == "::1" || host == "[::1]" || host == "localhost";
}

std::string PublishedHost(const std::string& entry) {
  if (entry.rfind("${", 0) == 0) {
    const std::size_t close = entry.find('}');
    const std::size_t dflt = entry.find(":-");
    if (close == std::string::npos || dflt == std::string::npos || dflt > close) return "";
    return entry.substr(dflt + 2, close - dflt - 2);
  }
  if (entry.rfind("[", 0) == 0) return entry.substr(0, entry.find(']') + 1);
  const auto colons = std::count(entry.begin(), entry.end(), ':');
  return colons == 2 ? entry.substr(0, entry.find(':')) : "";
}

std::string Substitute(const std::string& value, const std::string& open_with, char close_with,
                       const std::function<std::string(const std::string&)>& replace) {
  std::string out;
  for (std::size_t at = 0; at < value.size();) {
    const std::size_t open = value.find(open_with, at);
    const std::size_t close = open == std::string::npos ? open : value.find(close_with, open);
    if (close == std::string::npos) {
      out += value.substr(at);
      break;
    }
    out += value.substr(at, open - at);
    out += replace(value.substr(open + open_with.size(), close - open - open_with.size()));
    at = close + 1;
  }
  return out;
}

std::string ComposeDefaults(const std::string& value) {
  return Substitute(value, "${", '}', [](const std::string& inside) {
    const std::size_t dflt = inside.find(":-");
    return dflt == std::string::npos ? std::string() : inside.substr(dflt + 2);
  });
}

int PortOf(const std::string& host_port) {
  return std::stoi(host_port.substr(host_port.rfind(':') + 1));
}

YAML::Node Find(const std::vector<YAML::Node>& docs, const std::string& kind) {
  for (const auto& d : docs) {
    if (d["kind"].as<std::string>() == kind) return d;
  }
  return YAML::Node();
}

std::set<std::string> MountedSecretFiles(const YAML::Node& pod_spec,
                                         std::set<std::string>* secret_names) {
  std::set<std::string> files;
  for (const auto& v : pod_spec["volumes"]) {
    if (!v["secret"]) continue;
    const std::string name = v["name"].as<std::string>();
    secret_names->insert(v["secret"]["secretName"].as<std::string>());
    if (!v["secret"]["defaultMode"]) {
      ADD_FAILURE() << name << ": the default is 0644";
      continue;
    }
    EXPECT_TRUE(OwnerOnly(Mode(v["secret"]["defaultMode"]))) << name;
    for (const auto& m : pod_spec["containers"][0]["volumeMounts"]) {
      if (m["name"].as<std::string>() != name) continue;
      EXPECT_TRUE(m["readOnly"] && m["readOnly"].as<bool>()) << name;
      EXPECT_FALSE(m["subPath"]) << name << ": a subPath mount never sees a rotated secret";
      for (const auto& item : v["secret"]["items"]) {
        if (item["mode"]) {
          EXPECT_TRUE(OwnerOnly(Mode(item["mode"]))) << name;
        }
        files.insert(m["mountPath"].as<std::string>() + "/" + item["path"].as<std::string>());
      }
    }
  }
  return files;
}

std::map<int, int> CheckIngressRules(const YAML::Node& policy, const std::vector<int>& ip_ports) {
  std::map<int, int> rules_per_port;
  bool ingress = false;
  for (const auto& t : policy["spec"]["policyTypes"]) ingress |= t.as<std::string>() == "Ingress";
  EXPECT_TRUE(ingress) << "a policy without Ingress isolates nothing";
  for (const auto& rule : policy["spec"]["ingress"]) {
    // A rule without `from` or without `ports` lets everyone in, or onto every port.
    if (!rule["from"] || rule["from"].size() == 0) {
      ADD_FAILURE() << "a rule open to every source";
      continue;
    }
    if (!rule["ports"] || rule["ports"].size() != 1) {
      ADD_FAILURE() << "one port per rule";
      continue;
    }
    const int port = rule["ports"][0]["port"].as<int>();
    rules_per_port[port] += 1;
    for (const auto& peer : rule["from"]) {
      EXPECT_TRUE(peer.IsMap() && peer.size() > 0) << "an empty peer matches everything";
      if (peer["namespaceSelector"]) {
        EXPECT_GT(peer["namespaceSelector"]["matchLabels"].size(), 0u) << "every namespace";
      }
      if (peer["podSelector"]) {
        EXPECT_GT(peer["podSelector"]["matchLabels"].size(), 0u) << "every pod";
      }
      if (peer["ipBlock"]) {
        EXPECT_NE(std::find(ip_ports.begin(), ip_ports.end(), port), ip_ports.end())
            << "port " << port << " is for pods of the cluster only, not addresses";
        const std::string cidr = peer["ipBlock"]["cidr"].as<std::string>();
        EXPECT_NE(cidr.substr(cidr.find('/')), "/0") << cidr << " is everyone";
      }
    }
  }
  return rules_per_port;
}

}  // namespace loyalty::deploy
