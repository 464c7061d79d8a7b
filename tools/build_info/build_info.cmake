# Writes build_info.cc (OUT) from build_info.cc.in with the version, the git
# commit and the build type; run on every build (tools/CMakeLists.txt), it
# rewrites OUT only when the text changes, so an unchanged commit relinks
# nothing.
#   cmake -DSOURCE_DIR=. -DOUT=/tmp/b.cc -DLOYALTY_VERSION=0.1.0 -DLOYALTY_BUILD_TYPE=Release
#         -P tools/build_info/build_info.cmake
#
# The commit: `git rev-parse HEAD` in a clone (with "-dirty" when tracked
# files have uncommitted changes); in a tarball made by `git archive`, the
# COMMIT file (export-subst in .gitattributes puts the hash there); else
# "unknown".
set(LOYALTY_COMMIT "unknown")
find_package(Git QUIET)
if(GIT_FOUND AND EXISTS "${SOURCE_DIR}/.git")
  execute_process(COMMAND "${GIT_EXECUTABLE}" -C "${SOURCE_DIR}" rev-parse HEAD
    RESULT_VARIABLE rc OUTPUT_VARIABLE head ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(rc EQUAL 0 AND head MATCHES "^[0-9a-f]+$")
    set(LOYALTY_COMMIT "${head}")
    execute_process(COMMAND "${GIT_EXECUTABLE}" -C "${SOURCE_DIR}" status --porcelain
      --untracked-files=no RESULT_VARIABLE rc OUTPUT_VARIABLE changes ERROR_QUIET)
    if(rc EQUAL 0 AND NOT changes STREQUAL "")
      string(APPEND LOYALTY_COMMIT "-dirty")
    endif()
  endif()
endif()
if(LOYALTY_COMMIT STREQUAL "unknown" AND EXISTS "${SOURCE_DIR}/tools/build_info/COMMIT")
  file(STRINGS "${SOURCE_DIR}/tools/build_info/COMMIT" archived LIMIT_COUNT 1)
  if(archived MATCHES "^[0-9a-f]+$")  # still "$Format:%H$" outside a git archive
    set(LOYALTY_COMMIT "${archived}")
  endif()
endif()
if(NOT LOYALTY_BUILD_TYPE)
  set(LOYALTY_BUILD_TYPE "unspecified")
endif()
configure_file("${CMAKE_CURRENT_LIST_DIR}/build_info.cc.in" "${OUT}" @ONLY)
