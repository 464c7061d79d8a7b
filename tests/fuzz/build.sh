#!/usr/bin/env bash
# Configures (once) and builds the clang build with ASan and UBSan: the fuzz
# targets (run.sh here) and the sanitized unit tests (tests/sanitize/run.sh).
#
#   tests/fuzz/build.sh BUILD_DIR [TARGET...]
#
# With targets, builds only those (each script builds what it runs, so the
# fuzz test's time does not grow with the unit tests').
# Environment: CLANG (default clang++-15), JOBS (default: number of cores),
# CMAKE_CXX_COMPILER_LAUNCHER (default: ccache where installed).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build_dir=${1:?usage: build.sh BUILD_DIR [TARGET...]}
shift
clang=${CLANG:-clang++-15}
jobs=${JOBS:-$(nproc)}
if [ ! -f "$build_dir/build.ninja" ]; then
  launcher=${CMAKE_CXX_COMPILER_LAUNCHER:-$(command -v ccache || true)}
  cmake -S "$root" -B "$build_dir" -G Ninja -DLOYALTY_FUZZ=ON -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CXX_FLAGS_RELEASE="-O1 -g" -DCMAKE_CXX_COMPILER="$clang" \
    ${launcher:+-DCMAKE_CXX_COMPILER_LAUNCHER="$launcher"} >/dev/null
fi
cmake --build "$build_dir" -j "$jobs" ${1:+--target "$@"}
