// loyaltyd's command line and how the effective configuration is made:
// defaults, then --config FILE, then LOYALTY_<OPTION> environment variables,
// then flags. Each source's bad value is reported with where it came from
// (config_file::Set), every one of them, not the first only. Unknown
// LOYALTY_* variables are warnings, not errors.
#pragma once

#include <CLI/CLI.hpp>
#include <map>
#include <string>
#include <vector>

#include "adapters/http/auth.h"
#include "adapters/yaml/config_file.h"

namespace loyalty {

struct Flags {
  std::string config_path;
  std::map<std::string, std::string> values;  // option key -> flag text
  std::map<std::string, CLI::Option*> given;
  bool check_config = false;
  bool print_config = false;
  std::vector<std::string> warnings;  // filled by BuildConfig
};

void AddConfigFlags(CLI::App& app, Flags& flags);
// The effective configuration; every problem found goes to `problems` (an
// option with a bad value keeps its earlier value).
config_file::Config BuildConfig(Flags& flags, char** environment, config_file::Problems& problems);

// The admin tokens as the server keeps them: verifiers only. A secret given
// in plain text is hashed here and its text wiped from the configuration
// and the environment, so it stays in memory no longer than startup.
http::TokenTable TakeTokens(config_file::Config& config);
// The admin tokens as a LOYALTY_ADMIN_TOKENS value of verifiers only
// ("name:role:sha256:<hex>,..."), for a restart after TakeTokens; "" when none.
std::string TokenVerifiers(const config_file::Config& config);

}  // namespace loyalty
