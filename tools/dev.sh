#!/usr/bin/env bash
# The developer's one entry point.
#
#   tools/dev.sh deps    install the Debian 12 packages the build and tests need
#   tools/dev.sh build   deps, then configure and build; programs land in build/bin/
#   tools/dev.sh run     build, then start loyaltyd on 127.0.0.1:7070 with the
#                        example rules and its data under ./var (no Redis needed)
#   tools/dev.sh test    build, then run the whole suite with ctest
#
# Environment: BUILD_DIR (default build), JOBS (default: number of cores);
# for `run`: LOYALTY_LISTEN (default 127.0.0.1:7070), LOYALTY_ADMIN_LISTEN
# (default 127.0.0.1:7071; off: none), LOYALTY_DATA_DIR (default ./var).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${BUILD_DIR:-$root/build}
jobs=${JOBS:-$(nproc)}

# Every package the build, the tests and the benchmark use. Keep sorted.
# The client examples (proto/clients) add python3-protobuf, libprotobuf-java
# with a JDK, and Node; npm comes with nodejs or from the npm package (below).
# chromium is the headless browser of the console's browser test
# (tests/console), driven by playwright-core, which downloads no browser.
# clang-15 is for the fuzz targets (tests/fuzz): on Debian 12 its dependency
# libclang-common-15-dev carries libFuzzer and the sanitizer runtimes; llvm-15
# has the symbolizer that puts file:line into their reports. prometheus brings
# promtool, which checks and unit-tests the alert rules (deploy/monitoring).
# zookeeper is the server the election tests start themselves with java on
# its jars (tests/support/zookeeper_process.h; the zookeeperd service is not
# installed); libzookeeper-mt-dev is its C client (adapters/zookeeper).
packages=(
  chromium clang-15 clang-format cmake default-jdk-headless g++ git libbenchmark-dev libboost-dev
  libboost-system-dev libcli11-dev libgmock-dev libgtest-dev libhiredis-dev libjemalloc-dev
  libprotobuf-dev libprotobuf-java librocksdb-dev librsvg2-bin libspdlog-dev libssl-dev libyaml-cpp-dev
  libzookeeper-mt-dev llvm-15
  ninja-build nlohmann-json3-dev nodejs openssl pkg-config prometheus prometheus-cpp-dev
  protobuf-compiler
  python3 python3-protobuf redis-server redis-tools rocksdb-tools systemd zlib1g-dev zookeeper
)

deps() {
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
      || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "dev.sh: installing ${missing[*]}"
    apt_install "${missing[@]}"
  fi
  # Debian's nodejs comes without npm (the npm package); other builds of
  # nodejs carry npm themselves and conflict with that package.
  command -v npm >/dev/null || apt_install npm
  js_deps
}

apt_install() {
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# The npm packages of the JavaScript client (protobufjs, proto/clients/js)
# and of the console's browser test (playwright-core, tests/console), exactly
# as their package-lock.json pins them, into their node_modules (not
# committed); again only when a lock file changed since the last install.
js_deps() {
  local dir
  for dir in "$root/proto/clients/js" "$root/tests/console"; do
    [ "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ] && continue
    echo "dev.sh: npm ci in ${dir#"$root"/}"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  done
}

build() {
  deps
  if [ ! -f "$build_dir/build.ninja" ]; then
    local launcher=()  # ccache, where installed, makes rebuilds of other checkouts cheap
    command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
    cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      "${launcher[@]}" >/dev/null
  fi
  cmake --build "$build_dir" -j "$jobs"
}

# First run: a development CA, a server certificate for 127.0.0.1/localhost,
# and credentials for register R1 of store S1 and an operator, under $1
# (nothing secret is committed; ./var is ignored by git).
make_dev_pki() {
  local var=$1 tls=$1/tls creds=$1/credentials
  [ -f "$tls/server.pem" ] && [ -f "$var/registers" ] && return 0
  mkdir -p "$tls" "$creds"
  chmod 700 "$tls" "$creds"
  local ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
  openssl req -x509 "${ec[@]}" -keyout "$tls/ca.key" -out "$tls/ca.pem" -days 825 \
    -subj /CN=loyalty-dev-ca 2>/dev/null
  openssl req "${ec[@]}" -keyout "$tls/server.key" -out "$tls/server.csr" \
    -subj /CN=localhost 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$tls/san.ext"
  openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" \
    -CAcreateserial -out "$tls/server.pem" -days 825 -extfile "$tls/san.ext" 2>/dev/null
  chmod 600 "$tls"/*.key
  rm -f "$var/registers"
  "$build_dir/bin/loyalty" credentials add --registers "$var/registers" --key-id S1-R1 \
    --store S1 --register R1 --out "$creds" >/dev/null
  "$build_dir/bin/loyalty" credentials add --registers "$var/registers" --key-id ops-1 \
    --kind operator --out "$creds" >/dev/null
}

# First run: admin tokens for the console and the API, one per role, in a
# config file under $1 (0600; like the PKI, nothing secret is committed), and
# the Online Retail data set to simulate rule sets on when ../shared/data has it.
make_dev_config() {
  local config=$1/loyaltyd.yaml data=$root/../shared/data/online_retail_uci_2010-2011.csv.gz
  [ -f "$config" ] && return 0
  (
    umask 077
    {
      echo "# Made by tools/dev.sh run for development; sign in to the console with a token."
      echo "admin_tokens:"
      local who
      for who in marketing:editor publishing:publisher support:viewer operator:admin; do
        echo "  - { name: ${who%%:*}, role: ${who##*:}, token: $(openssl rand -hex 24) }"
      done
      [ -f "$data" ] && echo "simulate_data: $(cd "$(dirname "$data")" && pwd)/$(basename "$data")"
    } >"$config"
  )
}

run() {
  build
  local listen=${LOYALTY_LISTEN:-127.0.0.1:7070}
  local admin=${LOYALTY_ADMIN_LISTEN:-127.0.0.1:7071}
  local data=${LOYALTY_DATA_DIR:-$root/var}
  mkdir -p "$data"
  make_dev_pki "$data"
  # Where the admin API really is: the address loyaltyd is given below.
  local admin_says
  case "$admin" in
    off) admin_says="The admin API is off (LOYALTY_ADMIN_LISTEN=off)." ;;
    *:0) admin_says="The admin API (health, metrics, rule versions) is on the port loyaltyd
prints below (\"loyaltyd admin on HOST:PORT\")." ;;
    *) admin_says="The admin API (health, metrics, rule versions) is on $admin:
  curl -s $admin/readyz" ;;
  esac
  make_dev_config "$data"
  cat <<MSG
loyaltyd starts on $listen (TLS) with data in $data and rules from deploy/rules.example.yaml.
Its development CA, certificate and credentials are in $data/tls and $data/credentials.
In another terminal, let the CLI use them, then send a first purchase:

  export LOYALTY_CA=$data/tls/ca.pem LOYALTY_CREDENTIAL=$data/credentials/S1-R1.key
  build/bin/loyalty --server $listen purchase --txn T-1 --store S1 --card 4242 --amount 12.34 --currency EUR
  build/bin/loyalty --server $listen lookup --card 4242

(S1-R1 is register R1 of store S1; $data/credentials/ops-1.key is an operator,
which may also adjust points.) $admin_says

The web console is on the admin API's address, at / : sign in with one of the
tokens in $data/loyaltyd.yaml (marketing: editor, publishing: publisher, support:
viewer, operator: admin).

Stop it with Ctrl-C (in-flight requests are answered first).
MSG
  exec "$build_dir/bin/loyaltyd" --config "$data/loyaltyd.yaml" --listen "$listen" \
    --admin-listen "$admin" --data-dir "$data" \
    --rules "$root/deploy/rules.example.yaml" --tls-cert "$data/tls/server.pem" \
    --tls-key "$data/tls/server.key" --registers "$data/registers"
}

test_all() {
  build
  cd "$build_dir"
  ctest --output-on-failure -j "$jobs" --timeout 900
}

case "${1:-}" in
  deps) deps ;;
  build) build ;;
  run) run ;;
  test) test_all ;;
  *) echo "usage: tools/dev.sh deps|build|run|test" >&2; exit 2 ;;
esac
