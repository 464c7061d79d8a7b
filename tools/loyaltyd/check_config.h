// What `loyaltyd --check-config` checks beyond the options themselves
// (config.h): what startup would trip over, so that "valid" means it starts.
//   - the rules file loads and is valid (every mistake, file:line:column);
//   - the listen addresses bind (a test bind, closed at once); an address
//     another process holds now is a note, not a problem (a rolling upgrade
//     checks the new configuration while the old server runs);
//   - the TLS certificate and key and the registers file can be read; a key
//     or registers file others may read, or its group change, is a warning;
//   - the data directory and backup_dir are directories loyaltyd can write
//     (or can make).
// Problems and warnings are sentences naming the option and the file.
//
// Thread safety: a function.
#pragma once

#include <string>
#include <vector>

#include "adapters/yaml/config_file.h"
#include "tools/loyaltyd/config.h"

namespace loyalty {

struct StartupCheck {
  config_file::Problems problems;  // startup would fail
  std::vector<std::string> notes;  // worth knowing, not a failure
};

StartupCheck CheckStartup(const config_file::Config& config);

// --check-config: every problem of the options and of what startup would
// meet (check_config.h), one line each on stderr; notes and warnings on
// stdout (stderr holds the problems only). Exit 0 valid, 1 not.
int CheckConfig(const config_file::Config& config, const Flags& flags,
                config_file::Problems problems);

}  // namespace loyalty
