// `--version` on every program: version, git commit, build type. The commit
// is captured at build time (tools/build_info/build_info.cmake): from git in
// a clone, from the COMMIT file `git archive` fills in a tarball, else
// "unknown".
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "tests/support/temp_dir.h"

namespace loyalty {
namespace {

struct Ran {
  int exit_code = -1;
  std::string out;
};

Ran RunCommand(const std::string& command) {
  Ran r;
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf;
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

bool InGitClone() { return RunCommand("git -C " SOURCE_DIR " rev-parse HEAD").exit_code == 0; }

std::string Head() {
  std::string head = RunCommand("git -C " SOURCE_DIR " rev-parse HEAD").out;
  return head.substr(0, head.find('\n'));
}

std::string Program(const std::string& name) {
  return (std::filesystem::path(LOYALTYD_PATH).parent_path() / name).string();
}

TEST(VersionTest, EveryProgramSaysItsVersionCommitAndBuildType) {
  const std::regex line(
      R"(^(loyaltyd|loyalty|loyalty-bench) \d+\.\d+\.\d+ \(commit ([0-9a-f]{40}(-dirty)?|unknown), \w+ build\)\n$)");
  for (const std::string name : {"loyaltyd", "loyalty", "loyalty-bench"}) {
    const Ran r = RunCommand(Program(name) + " --version");
    EXPECT_EQ(r.exit_code, 0) << name << ": " << r.out;
    std::smatch m;
    ASSERT_TRUE(std::regex_match(r.out, m, line)) << name << ": " << r.out;
    EXPECT_EQ(m[1], name);
    if (InGitClone()) {
      EXPECT_EQ(m[2].str().substr(0, 40), Head()) << r.out;
    }
  }
}

// The script that writes the commit into the build, run on copies of the
// sources: a `git archive` tarball (no .git) and a plain copy without git.
std::string CommitFrom(const std::string& source_dir, const testing::TempDir& dir) {
  const std::string out = dir.Sub("build_info.cc");
  const Ran r = RunCommand("cmake -DSOURCE_DIR=" + source_dir + " -DOUT=" + out +
                           " -DLOYALTY_VERSION=9.8.7 -DLOYALTY_BUILD_TYPE=Release -P " +
                           source_dir + "/tools/build_info/build_info.cmake");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  std::ifstream in(out);
  std::stringstream text;
  text << in.rdbuf();
  std::smatch m;
  const std::string s = text.str();
  EXPECT_NE(s.find("return \"9.8.7\";"), std::string::npos);
  EXPECT_NE(s.find("return \"Release\";"), std::string::npos);
  static const std::regex kCommit(R"re(Commit\(\) \{ return "([^"]*)"; \})re");
  if (!std::regex_search(s, m, kCommit)) return "";
  return m[1];
}

TEST(VersionTest, ATarballFromGitArchiveKnowsItsCommitAndAPlainCopySaysUnknown) {
  if (!InGitClone()) GTEST_SKIP() << "the sources are not a git clone";
  testing::TempDir dir;
  const std::string tarball = dir.Sub("tarball");
  std::filesystem::create_directories(tarball);
  const Ran archive = RunCommand(
      "git -C " SOURCE_DIR " archive HEAD tools/build_info .gitattributes | tar -x -C " + tarball);
  ASSERT_EQ(archive.exit_code, 0) << archive.out;
  ASSERT_FALSE(std::filesystem::exists(tarball + "/.git"));
  EXPECT_EQ(CommitFrom(tarball, dir), Head());

  const std::string plain = dir.Sub("plain");
  std::filesystem::create_directories(plain + "/tools");
  std::filesystem::copy(SOURCE_DIR "/tools/build_info", plain + "/tools/build_info");
  EXPECT_EQ(CommitFrom(plain, dir), "unknown");
}

}  // namespace
}  // namespace loyalty
