#!/usr/bin/env bash
# Runs the core's, the runtime's and the simulation's tests as built by the
# clang build under AddressSanitizer and UBSan (tests/fuzz/build.sh, which
# this calls first: a no-op when the fuzz test has built it). Any report (a
# memory error, a leak, undefined behaviour) fails the run.
#
#   tests/sanitize/run.sh BUILD_DIR
#
# Environment: as tests/fuzz/build.sh; SIM_EVENTS for the simulation
# (default here 50000: the instrumented build is several times slower).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build_dir=${1:?usage: run.sh BUILD_DIR}
started=$(date +%s)
tests=(engine_test runtime_test sim_test)
"$here/../fuzz/build.sh" "$build_dir" "${tests[@]}"
echo "sanitize: built in $(( $(date +%s) - started )) s"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
symbolizer=/usr/lib/llvm-15/bin/llvm-symbolizer
[ -x "$symbolizer" ] && export ASAN_SYMBOLIZER_PATH=$symbolizer
export SIM_EVENTS=${SIM_EVENTS:-50000}
for t in "${tests[@]}"; do
  t0=$(date +%s)
  "$build_dir/bin/$t" --gtest_brief=1
  echo "sanitize: $t clean in $(( $(date +%s) - t0 )) s"
done
