#include "adapters/yaml/config_file.h"

#include <arpa/inet.h>
#include <yaml-cpp/yaml.h>

#include <cctype>
#include <charconv>
#include <fstream>
#include <functional>
#include <regex>
#include <set>
#include <sstream>

#include "engine/outbox.h"

namespace loyalty::config_file {
namespace {

// Parses one option's text; returns the reason it is wrong, or "" when set.
using Setter = std::function<std::string(Config&, const std::string&)>;
using Getter = std::function<std::string(const Config&)>;

struct Option {
  std::string key;
  Setter set;
  Getter get;
};

template <typename T>
Option Number(std::string key, T Config::*field, T lo, T hi) {
  auto set = [field, lo, hi](Config& c, const std::string& text) -> std::string {
    T v{};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || v < lo || v > hi) {
      return "must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi);
    }
    c.*field = v;
    return "";
  };
  return {std::move(key), set, [field](const Config& c) { return std::to_string(c.*field); }};
}

Option Text(std::string key, std::string Config::*field, std::size_t bytes_max = 4096) {
  auto set = [field, bytes_max](Config& c, const std::string& text) -> std::string {
    if (text.size() > bytes_max) return "is over " + std::to_string(bytes_max) + " bytes";
    c.*field = text;
    return "";
  };
  return {std::move(key), set, [field](const Config& c) { return c.*field; }};
}

Option OneOf(std::string key, std::string Config::*field, std::vector<std::string> allowed) {
  auto set = [field, allowed](Config& c, const std::string& text) -> std::string {
    for (const auto& a : allowed) {
      if (a == text) {
        c.*field = text;
        return "";
      }
    }
    std::string list;
    for (std::size_t i = 0; i < allowed.size(); ++i) {
      list += (i == 0 ? "" : i + 1 == allowed.size() ? " or " : ", ") + allowed[i];
    }
    return "must be " + list;
  };
  return {std::move(key), set, [field](const Config& c) { return c.*field; }};
}

const std::set<std::string> kRoles = {"viewer", "cashier", "editor", "publisher", "admin"};

// "name:role:secret,name:role:secret" (the environment and flag form).
std::string SetTokens(Config& c, const std::string& text) {
  std::vector<AdminToken> tokens;
  std::size_t start = 0;
  while (start <= text.size() && !text.empty()) {
    std::size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    const std::string item = text.substr(start, end - start);
    const std::size_t a = item.find(':');
    const std::size_t b = a == std::string::npos ? a : item.find(':', a + 1);
    if (b == std::string::npos) return "must be NAME:ROLE:SECRET entries separated by commas";
    tokens.push_back({item.substr(0, a), item.substr(a + 1, b - a - 1), item.substr(b + 1)});
    start = end + 1;
  }
  c.admin_tokens = std::move(tokens);
  return "";
}

const std::vector<Option>& Options() {
  static const std::vector<Option> kOptions = {
      Text("listen", &Config::listen),
      Text("data_dir", &Config::data_dir),
      Text("rules", &Config::rules),
      Number<std::size_t>("shards", &Config::shards, 1, 64),
      OneOf("durability", &Config::durability, {"sync", "async"}),
      Number<std::size_t>("connections_max", &Config::connections_max, 1, 100'000),
      Number<std::size_t>("inflight_max", &Config::inflight_max, 1, 4096),
      Number<int64_t>("read_timeout_ms", &Config::read_timeout_ms, 100, 600'000),
      Number<int64_t>("idle_timeout_ms", &Config::idle_timeout_ms, 100, 86'400'000),
      OneOf("register_tls", &Config::register_tls, {"on", "off"}),
      Text("tls_cert", &Config::tls_cert),
      Text("tls_key", &Config::tls_key),
      Text("registers", &Config::registers),
      Number<std::size_t>("connections_per_credential_max", &Config::connections_per_credential_max,
                          1, 100'000),
      Number<std::size_t>("unauthenticated_connections_max",
                          &Config::unauthenticated_connections_max, 1, 100'000),
      Number<std::size_t>("unauthenticated_per_address_max",
                          &Config::unauthenticated_per_address_max, 1, 100'000),
      Number<int64_t>("auth_timeout_ms", &Config::auth_timeout_ms, 100, 600'000),
      Number<int64_t>("lookups_per_second", &Config::lookups_per_second, 1, 1'000'000),
      Number<int64_t>("lookup_burst", &Config::lookup_burst, 1, 1'000'000),
      Number<std::size_t>("reply_bytes_total_max", &Config::reply_bytes_total_max, 1 << 20,
                          std::size_t{1} << 40),
      Number<int64_t>("drain_delay_ms", &Config::drain_delay_ms, 0, 600'000),
      Number<int64_t>("store_lock_wait_ms", &Config::store_lock_wait_ms, 0, 600'000),
      OneOf("clock", &Config::clock, {"system", "event"}),
      Number<int64_t>("rfm_interval_ms", &Config::rfm_interval_ms, 0, 604'800'000),
      Number<int64_t>("sweep_interval_ms", &Config::sweep_interval_ms, 100, 86'400'000),
      Number<int64_t>("txn_retention_days", &Config::txn_retention_days, 0, 36'500),
      Text("redis", &Config::redis),
      Text("webhook_url", &Config::webhook_url),
      Text("webhook_secret_file", &Config::webhook_secret_file),
      Text("webhook_events", &Config::webhook_events),
      Number<int64_t>("webhook_max_tries", &Config::webhook_max_tries, 1, 1'000),
      Number<int64_t>("webhook_timeout_ms", &Config::webhook_timeout_ms, 100, 600'000),
      Text("events_redis_stream", &Config::events_redis_stream, 256),
      Number<int64_t>("events_redis_maxlen", &Config::events_redis_maxlen, 1'000, 1'000'000'000),
      Text("redis_key_prefix", &Config::redis_key_prefix, 64),
      Number<int64_t>("redis_connect_timeout_ms", &Config::redis_connect_timeout_ms, 1, 60'000),
      Number<int64_t>("redis_command_timeout_ms", &Config::redis_command_timeout_ms, 1, 60'000),
      Number<int64_t>("redis_ttl_s", &Config::redis_ttl_s, 0, 316'224'000),  // 10 years
      Number<std::size_t>("redis_backlog_max", &Config::redis_backlog_max, 1, 10'000'000),
      Number<std::size_t>("redis_dirty_max", &Config::redis_dirty_max, 1, 100'000'000),
      Text("admin_listen", &Config::admin_listen),
      {"admin_tokens", SetTokens, [](const Config&) { return std::string(); }},
      Number<std::size_t>("admin_connections_max", &Config::admin_connections_max, 1, 10'000),
      Number<std::size_t>("admin_header_bytes_max", &Config::admin_header_bytes_max, 1024, 65'536),
      Number<std::size_t>("admin_body_bytes_max", &Config::admin_body_bytes_max, 1024, 16 << 20),
      Number<int64_t>("admin_timeout_ms", &Config::admin_timeout_ms, 100, 600'000),
      OneOf("admin_tls", &Config::admin_tls, {"off", "on"}),
      Text("admin_tls_cert", &Config::admin_tls_cert),
      Text("admin_tls_key", &Config::admin_tls_key),
      OneOf("admin_self_approval", &Config::admin_self_approval, {"off", "on"}),
      Number<std::size_t>("rules_drafts_max", &Config::rules_drafts_max, 1, 10'000),
      Text("simulate_data", &Config::simulate_data),
      Text("zookeeper", &Config::zookeeper, 1024),
      Text("zookeeper_root", &Config::zookeeper_root, 256),
      Number<int64_t>("zookeeper_session_ms", &Config::zookeeper_session_ms, 1'000, 120'000),
      Text("node_id", &Config::node_id, 64),
      Text("advertise", &Config::advertise),
      Text("replication_listen", &Config::replication_listen),
      Text("replication_advertise", &Config::replication_advertise),
      OneOf("replication", &Config::replication, {"sync", "async"}),
      Number<int64_t>("replication_ack_timeout_ms", &Config::replication_ack_timeout_ms, 100,
                      60'000),
      Text("replication_secret_file", &Config::replication_secret_file),
      OneOf("replication_tls", &Config::replication_tls, {"on", "off"}),
      Text("replication_ca", &Config::replication_ca),
      OneOf("standby_lookups", &Config::standby_lookups, {"on", "off"}),
      OneOf("log_format", &Config::log_format, {"text", "json"}),
      Text("backup_dir", &Config::backup_dir),
      Number<int64_t>("backup_interval_ms", &Config::backup_interval_ms, 0, 2'592'000'000),
      Number<std::size_t>("backup_keep", &Config::backup_keep, 1, 10'000),
      Number<std::size_t>("disk_reserve_bytes", &Config::disk_reserve_bytes, 0,
                          std::size_t{1} << 40),
  };
  return kOptions;
}

const Option* Find(std::string_view key) {
  for (const Option& o : Options()) {
    if (o.key == key) return &o;
  }
  return nullptr;
}

Status SetTokensFromYaml(Config& c, const YAML::Node& v, const std::string& path) {
  if (!v.IsSequence()) {
    return Status::Invalid(path + ":" + std::to_string(v.Mark().line + 1) +
                           ": admin_tokens must be a list of {name, role, token}");
  }
  c.admin_tokens.clear();
  for (std::size_t i = 0; i < v.size(); ++i) {
    const YAML::Node t = v[i];
    const std::string where = path + ":" + std::to_string(t.Mark().line + 1) + ": admin_tokens[" +
                              std::to_string(i) + "]";
    if (!t.IsMap()) return Status::Invalid(where + " must be {name, role, token}");
    for (const auto& kv : t) {
      const std::string k = kv.first.as<std::string>();
      if (k != "name" && k != "role" && k != "token") {
        return Status::Invalid(where + "." + k + " is not a known key (name, role, token)");
      }
    }
    c.admin_tokens.push_back({t["name"] ? t["name"].as<std::string>() : "",
                              t["role"] ? t["role"].as<std::string>() : "",
                              t["token"] ? t["token"].as<std::string>() : ""});
  }
  return Status::Ok();
}

// Throws YAML::Exception when a value is not a scalar; LoadFile catches it.
Status ReadOption(const std::string& path, const YAML::Node& k, const YAML::Node& v, Config& c) {
  const std::string key = k.as<std::string>();
  const std::string where = path + ":" + std::to_string(k.Mark().line + 1);
  if (!Find(key)) return Status::Invalid(where + ": " + key + " is not a known option");
  if (key == "admin_tokens") return SetTokensFromYaml(c, v, path);
  if (!v.IsScalar() && !v.IsNull()) return Status::Invalid(where + ": " + key + " must be a value");
  return Set(c, key, v.IsNull() ? "" : v.Scalar(), where);
}

bool ValidHostPort(const std::string& s) {
  const std::size_t colon = s.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  int port = -1;
  const char* b = s.data() + colon + 1;
  const char* e = s.data() + s.size();
  const auto [end, ec] = std::from_chars(b, e, port);
  return b != e && ec == std::errc() && end == e && port >= 0 && port <= 65535;
}

bool IsHex(std::string_view s) {
  for (const char c : s) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// Why a token's secret is refused ("" when it is fine): a verifier must be
// one; a secret must be long and varied enough not to be guessed.
std::string WeakToken(const std::string& token) {
  constexpr std::string_view kPrefix = "sha256:";
  if (token.rfind(kPrefix, 0) == 0) {
    const std::string_view hex = std::string_view(token).substr(kPrefix.size());
    if (hex.size() != 64 || !IsHex(hex)) return "must be sha256: and 64 hex digits";
    return "";
  }
  constexpr const char* kHow = ": use a long random string (openssl rand -hex 32)";
  if (token.size() < 16 || token.size() > 256) {
    return std::string("must be 16 to 256 bytes, or sha256:<64 hex>; it is ") +
           std::to_string(token.size()) + kHow;
  }
  const std::set<char> different(token.begin(), token.end());
  if (different.size() < kTokenCharactersMin) {
    return "is too easy to guess: " + std::to_string(different.size()) +
           " different characters, at least " + std::to_string(kTokenCharactersMin) + " needed" +
           kHow;
  }
  return "";
}

void ValidateTokens(const std::vector<AdminToken>& tokens, Problems& problems) {
  std::set<std::string> names, secrets;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const AdminToken& t = tokens[i];
    const std::string at = "admin_tokens[" + std::to_string(i) + "]";
    if (t.name.empty() || t.name.size() > limits::kIdBytesMax) {
      problems.push_back(at + ".name must be 1 to 64 bytes");
    }
    if (!kRoles.count(t.role)) {
      problems.push_back(at + ".role '" + t.role +
                         "' must be viewer, cashier, editor, publisher or admin");
    }
    if (std::string why = WeakToken(t.token); !why.empty()) {
      problems.push_back(at + ".token (" + t.name + ") " + why);
    }
    if (!t.name.empty() && !names.insert(t.name).second) {
      problems.push_back(at + ".name '" + t.name + "' is used twice");
    }
    if (!t.token.empty() && !secrets.insert(t.token).second) {
      problems.push_back(at + ".token is the same as another token's");
    }
  }
}

// A listen address's problem, or "".
std::string ListenProblem(const std::string& key, const std::string& value,
                          const std::string& or_else = "") {
  std::string host;
  uint16_t port = 0;
  if (SplitListenAddress(value, &host, &port)) return "";
  if (!ValidHostPort(value)) return key + " '" + value + "' is not HOST:PORT" + or_else;
  return key + " '" + value +
         "': the host must be an IP address (127.0.0.1, 0.0.0.0, [::1] or [::]), not a name";
}

bool IsLoopback(const std::string& host_port) {
  const std::string host = host_port.substr(0, host_port.rfind(':'));
  return host.rfind("127.", 0) == 0 || host == "[::1]" || host == "::1";
}

// TLS unless explicitly off on loopback; a registers file always.
void ValidateRegisterChannel(const Config& c, Problems& problems) {
  if (c.registers.empty()) {
    problems.push_back(
        "registers is required: the file of register credentials (make one with `loyalty "
        "credentials add`; docs/SECURITY.md)");
  }
  if (c.register_tls == "off") {
    if (!IsLoopback(c.listen)) {
      problems.push_back(
          "register_tls: off is allowed on a loopback listen address only (127.x "
          "or [::1]); listen is " +
          c.listen + ": set tls_cert and tls_key instead");
    }
    return;
  }
  if (c.tls_cert.empty() || c.tls_key.empty()) {
    problems.push_back(
        "register_tls is on, so tls_cert and tls_key (PEM files) are required "
        "(or register_tls: off, on a loopback listen address only)");
  }
}

// A replicated group: every node needs a name, a replication address and
// the group's secret; plaintext replication only between loopback addresses.
void ValidateGroup(const Config& c, Problems& problems) {
  if (c.zookeeper.empty()) {
    for (const auto& [key, value] :
         {std::pair<const char*, const std::string&>{"node_id", c.node_id},
          {"replication_listen", c.replication_listen}}) {
      if (!value.empty()) {
        problems.push_back(std::string(key) + " is set but zookeeper is not: a single node has " +
                           "no group (set zookeeper: HOST:PORT,... or remove " + key + ")");
      }
    }
    return;
  }
  static const std::regex kNodeId("[A-Za-z0-9._-]{1,64}");
  if (!std::regex_match(c.node_id, kNodeId)) {
    problems.push_back("node_id '" + c.node_id +
                       "' must be 1 to 64 of A-Z a-z 0-9 . _ - (required with zookeeper)");
  }
  for (size_t start = 0; start <= c.zookeeper.size();) {
    size_t end = c.zookeeper.find(',', start);
    if (end == std::string::npos) end = c.zookeeper.size();
    if (const std::string server = c.zookeeper.substr(start, end - start); !ValidHostPort(server)) {
      problems.push_back("zookeeper '" + c.zookeeper + "': '" + server +
                         "' is not HOST:PORT (a comma-separated list of the ensemble's servers)");
      break;
    }
    start = end + 1;
  }
  if (c.zookeeper_root.empty() || c.zookeeper_root.front() != '/' ||
      c.zookeeper_root.back() == '/') {
    problems.push_back("zookeeper_root '" + c.zookeeper_root +
                       "' must start with / and not end with one (e.g. /loyalty)");
  }
  if (std::string p = ListenProblem("replication_listen", c.replication_listen); !p.empty()) {
    problems.push_back(p + " (required with zookeeper: where standbys pull batches)");
  }
  for (const auto& [key, value] :
       {std::pair<const char*, const std::string&>{"advertise", c.advertise},
        {"replication_advertise", c.replication_advertise}}) {
    if (!value.empty() && !ValidHostPort(value)) {
      problems.push_back(std::string(key) + " '" + value + "' is not HOST:PORT");
    }
  }
  if (c.replication_secret_file.empty()) {
    problems.push_back(
        "replication_secret_file is required with zookeeper: a file holding the group's shared "
        "secret (32 or more characters), the same on every node");
  }
  const std::string replication_peer =
      c.replication_advertise.empty() ? c.replication_listen : c.replication_advertise;
  if (c.replication_tls == "off") {
    if (!IsLoopback(c.replication_listen) || !IsLoopback(replication_peer)) {
      problems.push_back(
          "replication_tls: off is allowed on loopback addresses only; "
          "replication_listen is " +
          c.replication_listen + ": set replication_ca, tls_cert and tls_key");
    }
  } else if (c.replication_ca.empty() || c.tls_cert.empty() || c.tls_key.empty()) {
    problems.push_back(
        "replication_tls is on, so replication_ca (PEM: the CA of the nodes' certificates), "
        "tls_cert and tls_key are required (or replication_tls: off, on loopback only)");
  }
}

Status First(const Problems& problems) {
  return problems.empty() ? Status::Ok() : Status::Invalid(problems.front());
}

}  // namespace

std::string EnvironmentName(std::string_view key) {
  std::string name = "LOYALTY_";
  for (char ch : key)
    name.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(ch))));
  return name;
}

Status Set(Config& config, std::string_view key, const std::string& value,
           const std::string& where) {
  const Option* o = Find(key);
  if (!o) return Status::Invalid(where + ": " + std::string(key) + " is not a known option");
  Config changed = config;  // nothing half-set on error
  if (std::string why = o->set(changed, value); !why.empty()) {
    return Status::Invalid(where + ": " + std::string(key) + " " + why);
  }
  config = std::move(changed);
  return Status::Ok();
}

Config Parse(std::string_view text, const std::string& path, Problems& problems) {
  Config c;
  try {
    const YAML::Node root = YAML::Load(std::string(text));
    if (root.IsNull()) return c;
    if (!root.IsMap()) {
      problems.push_back(path + ": expected key: value lines");
      return c;
    }
    for (const auto& kv : root) {
      try {
        if (Status s = ReadOption(path, kv.first, kv.second, c); !s.ok()) {
          problems.push_back(s.message());
        }
      } catch (const YAML::Exception& e) {
        problems.push_back(path + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
      }
    }
  } catch (const YAML::Exception& e) {
    problems.push_back(path + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  return c;
}

Config LoadFile(const std::string& path, Problems& problems) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    problems.push_back("config file " + path + " cannot be read");
    return Config{};
  }
  std::stringstream text;
  text << in.rdbuf();
  return Parse(text.str(), path, problems);
}

Result<Config> Parse(std::string_view text, const std::string& path) {
  Problems problems;
  Config c = Parse(text, path, problems);
  if (!problems.empty()) return First(problems);
  return c;
}

Result<Config> LoadFile(const std::string& path) {
  Problems problems;
  Config c = LoadFile(path, problems);
  if (!problems.empty()) return First(problems);
  return c;
}

void ApplyEnvironment(Config& config, const std::vector<std::string>& environment,
                      std::vector<std::string>* unknown, Problems& problems) {
  for (const std::string& entry : environment) {
    if (entry.rfind("LOYALTY_", 0) != 0) continue;
    const std::size_t eq = entry.find('=');
    if (eq == std::string::npos) continue;
    const std::string name = entry.substr(0, eq);
    const Option* match = nullptr;
    for (const Option& o : Options()) {
      if (EnvironmentName(o.key) == name) match = &o;
    }
    if (!match) {
      if (unknown) unknown->push_back(name);
      continue;
    }
    const bool secret = match->key == "admin_tokens";
    const std::string where = secret ? name : entry;
    if (Status s = Set(config, match->key, entry.substr(eq + 1), where); !s.ok()) {
      problems.push_back(s.message());
    }
  }
}

Status ApplyEnvironment(Config& config, const std::vector<std::string>& environment,
                        std::vector<std::string>* unknown) {
  Problems problems;
  ApplyEnvironment(config, environment, unknown, problems);
  return First(problems);
}

bool SplitListenAddress(const std::string& text, std::string* host, uint16_t* port) {
  if (!ValidHostPort(text)) return false;
  const std::size_t colon = text.rfind(':');
  std::string h = text.substr(0, colon);
  const bool bracketed = h.size() >= 2 && h.front() == '[' && h.back() == ']';
  if (bracketed) h = h.substr(1, h.size() - 2);
  unsigned char buf[16];
  const bool v4 = !bracketed && ::inet_pton(AF_INET, h.c_str(), buf) == 1;
  const bool v6 = bracketed && ::inet_pton(AF_INET6, h.c_str(), buf) == 1;
  if (!v4 && !v6) return false;
  *host = h;
  *port = static_cast<uint16_t>(std::stoul(text.substr(colon + 1)));
  return true;
}

Problems ValidateAll(const Config& c) {
  Problems problems;
  if (std::string p = ListenProblem("listen", c.listen); !p.empty()) problems.push_back(p);
  if (c.admin_listen != "off") {
    if (std::string p = ListenProblem("admin_listen", c.admin_listen, " or off"); !p.empty()) {
      problems.push_back(p);
    }
  }
  if (!c.redis.empty() && !ValidHostPort(c.redis)) {
    problems.push_back("redis '" + c.redis + "' is not HOST:PORT");
  }
  if (c.data_dir.empty()) problems.push_back("data_dir must not be empty");
  ValidateTokens(c.admin_tokens, problems);
  if (c.admin_tls == "on" && (c.admin_tls_cert.empty() ? c.tls_cert : c.admin_tls_cert).empty()) {
    problems.push_back(
        "admin_tls is on, so admin_tls_cert and admin_tls_key (or the register channel's "
        "tls_cert and tls_key) are required");
  }
  if (c.admin_tls == "on" && (c.admin_tls_key.empty() ? c.tls_key : c.admin_tls_key).empty()) {
    problems.push_back("admin_tls is on, so admin_tls_key (or tls_key) is required");
  }
  ValidateGroup(c, problems);
  if (!c.events_redis_stream.empty() && c.redis.empty()) {
    problems.push_back("events_redis_stream '" + c.events_redis_stream +
                       "' needs redis: HOST:PORT (the server the stream is on)");
  }
  if (!c.webhook_url.empty()) {
    if (c.webhook_url.rfind("http://", 0) != 0 && c.webhook_url.rfind("https://", 0) != 0) {
      problems.push_back("webhook_url '" + c.webhook_url + "' must start with http:// or https://");
    }
    if (c.webhook_secret_file.empty()) {
      problems.push_back(
          "webhook_url is set, so webhook_secret_file is required (the key its events are "
          "signed with; openssl rand -hex 32 > FILE; chmod 600 FILE)");
    }
    if (auto types = OutboxTypesOf(c.webhook_events); !types.ok()) {
      problems.push_back("webhook_events: " + types.status().message());
    }
  }
  ValidateRegisterChannel(c, problems);
  return problems;
}

Status Validate(const Config& c) { return First(ValidateAll(c)); }

// Every value as a YAML double-quoted scalar (a JSON string is one), so a
// value with a quote, a backslash or a control character prints as it is.
std::string Print(const Config& c) {
  std::string out = "# effective loyaltyd configuration (defaults < file < LOYALTY_* < flags)\n";
  for (const Option& o : Options()) {
    if (o.key == "admin_tokens") {
      out += "admin_tokens:";
      out += c.admin_tokens.empty() ? " []\n" : "\n";
      for (const AdminToken& t : c.admin_tokens) {
        out += "  - { name: " + JsonQuoted(t.name) + ", role: " + JsonQuoted(t.role) +
               ", token: <redacted> }\n";
      }
      continue;
    }
    out += o.key + ": " + JsonQuoted(o.get(c)) + "\n";
  }
  return out;
}

}  // namespace loyalty::config_file
