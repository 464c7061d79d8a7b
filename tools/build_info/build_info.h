// What a running program is: its version, the git commit it was built from
// and the build type, for `--version`, the startup log line and the
// loyalty_build_info metric.
//
// The commit is captured when the program is built (build_info.cmake, run on
// every build, rewrites the generated source only when it changed): from git
// in a clone, from the COMMIT file that `git archive` fills in a tarball
// (export-subst), else "unknown". A clone with uncommitted changes to
// tracked files adds "-dirty".
//
// Thread safety: constants.
#pragma once

#include <string>
#include <string_view>

namespace loyalty::build_info {

const char* Version();    // "0.1.0": the project version in CMakeLists.txt
const char* Commit();     // 40 hex digits, maybe "-dirty", or "unknown"
const char* BuildType();  // CMAKE_BUILD_TYPE: Release, RelWithDebInfo, Debug...

// "loyaltyd 0.1.0 (commit 1f2e..., RelWithDebInfo build)"
std::string VersionLine(std::string_view program);

}  // namespace loyalty::build_info
