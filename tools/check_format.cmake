# Fails when a C++ file under engine/ proto/ adapters/ tools/ tests/ is not
# formatted as .clang-format says. Fix with:
#   clang-format -i $(git ls-files '*.h' '*.cc')
#   cmake -DCLANG_FORMAT=clang-format -DROOT=. -P tools/check_format.cmake
file(GLOB_RECURSE files
  ${ROOT}/engine/*.h ${ROOT}/engine/*.cc ${ROOT}/proto/*.h ${ROOT}/proto/*.cc
  ${ROOT}/adapters/*.h ${ROOT}/adapters/*.cc ${ROOT}/tools/*.h ${ROOT}/tools/*.cc
  ${ROOT}/tests/*.h ${ROOT}/tests/*.cc)
list(FILTER files EXCLUDE REGEX "impure_fixture")
execute_process(COMMAND ${CLANG_FORMAT} --dry-run --Werror ${files}
  RESULT_VARIABLE result ERROR_VARIABLE out)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "not clang-formatted (run clang-format -i on them):\n${out}")
endif()
