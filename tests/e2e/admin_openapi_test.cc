// docs/openapi.yaml against the server (issue 13): every route the source
// adds to the router is in the file and every operation in the file is a
// route; and a running loyaltyd's answers to every GET (and a few safe
// POSTs) have a documented status and match the documented JSON schema
// (types, required properties, nested objects and array items, $refs).
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "tests/e2e/admin_fixture.h"

namespace loyalty {
namespace {

using namespace admin_testing;

const YAML::Node& Spec() {
  static const YAML::Node spec = YAML::LoadFile(SOURCE_DIR "/docs/openapi.yaml");
  return spec;
}

// "#/components/schemas/Error" -> its node.
YAML::Node Resolve(YAML::Node node) {
  while (node.IsMap() && node["$ref"]) {
    std::string ref = node["$ref"].as<std::string>().substr(2);  // after "#/"
    YAML::Node at = YAML::Clone(Spec());
    std::stringstream parts(ref);
    for (std::string part; std::getline(parts, part, '/');) at = at[part];
    node = at;
  }
  return node;
}

// Where `value` does not match `schema`, in one line per mismatch.
void Validate(const YAML::Node& schema_ref, const json& value, const std::string& where,
              std::vector<std::string>* problems) {
  const YAML::Node schema = Resolve(schema_ref);
  if (!schema.IsMap()) return;
  if (value.is_null() && schema["nullable"] && schema["nullable"].as<bool>()) return;
  if (schema["type"]) {
    const std::string type = schema["type"].as<std::string>();
    const bool ok =
        (type == "object" && value.is_object()) || (type == "array" && value.is_array()) ||
        (type == "string" && value.is_string()) ||
        (type == "integer" && value.is_number_integer()) ||
        (type == "number" && value.is_number()) || (type == "boolean" && value.is_boolean());
    if (!ok) {
      problems->push_back(where + ": " + value.dump().substr(0, 60) + " is not " + type);
      return;
    }
  }
  if (schema["enum"] && value.is_string()) {
    bool found = false;
    for (const auto& e : schema["enum"]) found = found || e.as<std::string>() == value;
    if (!found) problems->push_back(where + ": " + value.dump() + " is not in its enum");
  }
  if (value.is_object()) {
    for (const auto& r : schema["required"]) {
      if (!value.contains(r.as<std::string>())) {
        problems->push_back(where + ": lacks " + r.as<std::string>());
      }
    }
    for (const auto& p : schema["properties"]) {
      const std::string key = p.first.as<std::string>();
      if (value.contains(key)) Validate(p.second, value[key], where + "." + key, problems);
    }
  }
  if (value.is_array() && schema["items"]) {
    for (std::size_t i = 0; i < value.size() && i < 5; ++i) {
      Validate(schema["items"], value[i], where + "[" + std::to_string(i) + "]", problems);
    }
  }
}

std::set<std::string> SourceRoutes() {
  std::set<std::string> routes;
  const std::regex add(R"re(router\.Add\(\s*\{\s*"([A-Z]+)",\s*"([^"]+)")re");
  for (const auto& f : std::filesystem::directory_iterator(SOURCE_DIR "/tools/loyaltyd")) {
    std::ifstream in(f.path());
    const std::string text((std::istreambuf_iterator<char>(in)), {});
    for (std::sregex_iterator m(text.begin(), text.end(), add), end; m != end; ++m) {
      routes.insert((*m)[1].str() + " " + (*m)[2].str());
    }
  }
  return routes;
}

std::set<std::string> SpecRoutes() {
  std::set<std::string> routes;
  for (const auto& path : Spec()["paths"]) {
    for (const auto& op : path.second) {
      std::string method = op.first.as<std::string>();
      for (char& c : method) c = static_cast<char>(std::toupper(c));
      routes.insert(method + " " + path.first.as<std::string>());
    }
  }
  return routes;
}

TEST(OpenApiTest, EveryRouteIsDocumentedAndEveryDocumentedRouteExists) {
  const auto source = SourceRoutes();
  const auto spec = SpecRoutes();
  EXPECT_GE(source.size(), 20u);
  for (const auto& r : source) EXPECT_TRUE(spec.count(r)) << r << " is not in docs/openapi.yaml";
  for (const auto& r : spec) EXPECT_TRUE(source.count(r)) << r << " is documented but no route";
}

// The URL of `op` on `path`, with the documented examples for parameters.
std::string Target(const std::string& path, const YAML::Node& op) {
  std::string target = path, query;
  for (const auto& p_ref : op["parameters"]) {
    const YAML::Node p = Resolve(p_ref);
    const std::string name = p["name"].as<std::string>();
    if (p["in"].as<std::string>() == "path") {
      target.replace(target.find("{" + name + "}"), name.size() + 2,
                     p["example"].as<std::string>());
    } else if (p["required"] && p["required"].as<bool>()) {
      query += (query.empty() ? "?" : "&") + name + "=" + p["example"].as<std::string>();
    }
  }
  return target + query;
}

TEST_F(AdminTest, TheServersAnswersMatchTheDocumentedSchemas) {
  Start();
  ASSERT_EQ(Purchase("T-1", "12.34"), 0);
  int checked = 0;
  for (const auto& path : Spec()["paths"]) {
    const std::string p = path.first.as<std::string>();
    const YAML::Node op = path.second["get"];
    if (!op) continue;
    const std::string target = Target(p, op);
    auto reply = Http(port_, "GET", target, kAdmin);
    const YAML::Node response = op["responses"][std::to_string(reply.status)];
    ASSERT_TRUE(response) << "GET " << target << " answered " << reply.status
                          << ", not documented: " << reply.body;
    const YAML::Node content = Resolve(response)["content"];
    if (!content || !content["application/json"] || reply.content_type != "application/json") {
      continue;
    }
    std::vector<std::string> problems;
    Validate(content["application/json"]["schema"], Json(reply), "GET " + target, &problems);
    EXPECT_TRUE(problems.empty()) << ::testing::PrintToString(problems);
    checked += 1;
  }
  EXPECT_GE(checked, 12);
  // A few changes that are safe to make here.
  auto validate = Http(port_, "POST", "/v1/rulesets/validate", kAdmin, Rules("x", 2));
  std::vector<std::string> problems;
  Validate(Spec()["paths"]["/v1/rulesets/validate"]["post"]["responses"]["200"]["content"]
                 ["application/json"]["schema"],
           Json(validate), "POST validate", &problems);
  auto session = Http(port_, "POST", "/v1/session", "", json({{"token", kViewer}}).dump());
  Validate(Spec()["paths"]["/v1/session"]["post"]["responses"]["200"]["content"]["application/json"]
                 ["schema"],
           Json(session), "POST session", &problems);
  auto upload = Http(port_, "POST", "/v1/rulesets", kEditor, Rules("y", 3));
  Validate(Spec()["paths"]["/v1/rulesets"]["post"]["responses"]["201"]["content"]
                 ["application/json"]["schema"],
           Json(upload), "POST rulesets", &problems);
  EXPECT_TRUE(problems.empty()) << ::testing::PrintToString(problems);
}

}  // namespace
}  // namespace loyalty
