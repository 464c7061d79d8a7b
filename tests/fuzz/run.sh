#!/usr/bin/env bash
# Builds the fuzz targets with clang and runs each over its seed corpus for a
# bounded time. Exits non-zero when a target crashes, hangs, leaks or trips a
# sanitizer, and when the canary's planted bugs go unnoticed.
#
#   tests/fuzz/run.sh BUILD_DIR [SECONDS_PER_TARGET]
#
# BUILD_DIR gets the clang build (e.g. build/fuzz); SECONDS_PER_TARGET
# defaults to 20. Found inputs go to BUILD_DIR/found/<target>/ (new coverage)
# and BUILD_DIR/artifacts/ (crashes); the checked-in corpus is only read.
# Environment: as build.sh (CLANG, JOBS, CMAKE_CXX_COMPILER_LAUNCHER).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build_dir=${1:?usage: run.sh BUILD_DIR [SECONDS_PER_TARGET]}
seconds=${2:-20}
# The real targets; each reads corpus/<name>/ and is <name>_fuzzer.
targets=(frame_reader request hello registers_file rules_file config_file replay_csv admin_router
  store_codec)

started=$(date +%s)
"$here/build.sh" "$build_dir" canary_fuzzer "${targets[@]/%/_fuzzer}"
echo "fuzz: built in $(( $(date +%s) - started )) s"

bin=$build_dir/bin
# libFuzzer's exit codes alone would do; these make a report name its cause.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
symbolizer=/usr/lib/llvm-15/bin/llvm-symbolizer  # file:line in the reports
[ -x "$symbolizer" ] && export ASAN_SYMBOLIZER_PATH=$symbolizer

# Each planted bug must be reported and fail its run; otherwise a real one
# would pass unseen.
for bug in asan ubsan; do
  if "$bin/canary_fuzzer" "$here/corpus/canary/$bug" >"$build_dir/canary-$bug.log" 2>&1; then
    echo "fuzz: FAIL: the canary's planted $bug bug was not reported (see $build_dir/canary-$bug.log)"
    exit 1
  fi
  grep -q "SUMMARY: .*Sanitizer" "$build_dir/canary-$bug.log" || {
    echo "fuzz: FAIL: the canary's $bug run failed without a sanitizer report"
    cat "$build_dir/canary-$bug.log"
    exit 1
  }
done
echo "fuzz: the canary's planted bugs are caught (asan, ubsan)"

failed=0
mkdir -p "$build_dir/artifacts"
for t in "${targets[@]}"; do
  found=$build_dir/found/$t
  mkdir -p "$found"
  log=$build_dir/$t.log
  # New inputs go to the first directory (found/), seeds are read from the
  # second; -timeout makes a hang a failure; -runs bounds a fast target.
  if "$bin/${t}_fuzzer" -max_total_time="$seconds" -runs=50000000 -timeout=10 \
      -rss_limit_mb=2048 -max_len=8192 -print_final_stats=1 \
      -artifact_prefix="$build_dir/artifacts/$t-" "$found" "$here/corpus/$t" >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    echo "fuzz: $t: clean, $runs runs, $speed per second"
  else
    failed=1
    echo "fuzz: FAIL: $t found a bug; the input is in $build_dir/artifacts/, the report:"
    grep -v '^#' "$log" | tail -n 60
  fi
done
echo "fuzz: done in $(( $(date +%s) - started )) s"
exit "$failed"
