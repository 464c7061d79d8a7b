// The CLI's commands that work on files rather than a running server.
//   loyalty check --data-dir DIR      the ledger invariant over a stopped database
//   loyalty rules validate FILE...    every mistake, with file:line:column
// Each prints its findings and returns the exit code: 0 all good, 1 problems
// found, 2 the input could not be read.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "adapters/rocksdb/store.h"

namespace loyalty::cli {

// Opens the database of a stopped server; never creates one. On failure
// prints why (a running loyaltyd holds the lock) and returns nullptr.
std::unique_ptr<Store> OpenStopped(const std::string& data_dir);

int RunCheck(const std::string& data_dir, bool json);
int RunRulesValidate(const std::vector<std::string>& files, bool json);

}  // namespace loyalty::cli
