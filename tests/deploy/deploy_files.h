// What the deploy tests (deploy_test.cc: one node; replicated_test.cc: a
// replicated group) check the same way in every file of deploy/: reading the
// files, loyaltyd's options, file modes, published addresses, NetworkPolicy
// rules. No Docker engine or Kubernetes runs here.
#pragma once

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "adapters/yaml/config_file.h"

namespace loyalty::deploy {

inline const std::string kDeploy = std::string(SOURCE_DIR) + "/deploy/";

std::string Read(const std::string& path);

// Every LOYALTY_* name given is a loyaltyd option (the values are secrets,
// addresses or compose substitutions: not checked here).
void ExpectKnownVariables(const std::vector<std::string>& names);

// deploy/container.yaml, the configuration inside the image.
Result<config_file::Config> LoadContainerConfig();

// "0400" (YAML 1.1 octal, as Kubernetes reads it) -> 0400; "256" -> 256.
int Mode(const YAML::Node& n);

// Owner-only and no more than read-write: 0400, 0600 (not 0640, 0644, 0700).
bool OwnerOnly(int mode);

bool Loopback(const std::string& host);

// The host part of a compose "HOST:PUBLISHED:TARGET" entry, with a
// ${VAR:-default} resolved to its default (what runs when nobody sets VAR);
// empty when the entry names no host (then Docker publishes on every interface).
std::string PublishedHost(const std::string& entry);

// `value` with every OPEN...CLOSE (e.g. "${" and '}') replaced by what
// `replace` makes of the text between them.
std::string Substitute(const std::string& value, const std::string& open_with, char close_with,
                       const std::function<std::string(const std::string&)>& replace);

// A compose value with every ${VAR:-default} replaced by its default and
// every ${VAR} by nothing: what runs when nobody sets VAR.
std::string ComposeDefaults(const std::string& value);

// The port of "HOST:PORT".
int PortOf(const std::string& host_port);

// The first document of that kind (a null node if none).
YAML::Node Find(const std::vector<YAML::Node>& docs, const std::string& kind);

// The files a pod (its first container) reads from Secrets, as paths inside
// the container, each checked: mounted read-only, as a whole directory (a
// subPath mount never sees a rotated secret), owner-only modes. The Secrets'
// names go to `secret_names`.
std::set<std::string> MountedSecretFiles(const YAML::Node& pod_spec,
                                         std::set<std::string>* secret_names);

// Every ingress rule of a NetworkPolicy names its sources and one port, no
// source is "everything" (an empty peer, every namespace, 0.0.0.0/0), and an
// ipBlock only on the ports in `ip_ports`. Returns how many rules each port has.
std::map<int, int> CheckIngressRules(const YAML::Node& policy, const std::vector<int>& ip_ports);

}  // namespace loyalty::deploy
