#!/usr/bin/env bash
# crmstream set-up on a fresh Debian machine (run as root, or with sudo).
#   deploy/setup.sh demo [demo options]   install what is missing, build, run the demo
#   deploy/setup.sh test                  install what is missing, build, run all tests
#                                         (also a clang ASan+UBSan build of the unit tests and
#                                         the fuzz targets in ./build-asan, run in the same ctest)
#   deploy/setup.sh build                 install what is missing, build
#   deploy/setup.sh bench                 the same, plus valgrind for bench/callgrind.sh
# Idempotent: installs only missing packages and builds incrementally in ./build.
set -euo pipefail
cd "$(dirname "$0")/.."

what=${1:-build}
[ $# -gt 0 ] && shift

# Debian packages, each for one reason (README "Dependencies" says why).
PACKAGES=(
  build-essential cmake pkg-config
  librdkafka-dev librocksdb-dev libsimdjson-dev prometheus-cpp-dev
  libtomlplusplus-dev libcli11-dev libspdlog-dev nlohmann-json3-dev libboost-dev libnlopt-dev libcsv-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  kcat
)
# Only for `test`: clang, its sanitizer and libFuzzer runtimes, llvm-symbolizer
# for readable sanitizer stacks; kafka-python and jsonschema, the Python
# consumer's side of the output contract; promtool, prometheus and PyYAML for
# the observability tests (tests/observability); docker-compose and yamllint
# for the deploy tests (tests/deploy). kubectl, node and npm only where no
# such command exists (a newer kubectl may be installed; NodeSource's nodejs
# carries its own npm, which Debian's npm package would conflict with).
TEST_PACKAGES=(clang libclang-rt-dev llvm python3-kafka python3-jsonschema prometheus python3 python3-yaml
               docker-compose yamllint)
# Only for `bench`: valgrind's callgrind counts instructions per event
# (bench/callgrind.sh), a figure the machine's load does not change.
if [ "$what" = bench ]; then PACKAGES+=(valgrind); fi
if [ "$what" = test ]; then
  PACKAGES+=("${TEST_PACKAGES[@]}")
  command -v kubectl >/dev/null || PACKAGES+=(kubernetes-client)
  command -v node >/dev/null || PACKAGES+=(nodejs)
  command -v npm >/dev/null || PACKAGES+=(npm)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

BUILD_DIR=${CRM_BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCRM_WERROR=ON >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)"

# The sanitizer build (test only): clang with ASan+UBSan, the unit-test
# executables (not the integration tests, which would double the run time)
# and the libFuzzer targets, each run for CRM_FUZZ_SECONDS. CXX is read only
# when the directory is first configured. One ctest runs both builds' tests
# (build-all/CTestTestfile.cmake), so the run ends in a single summary;
# `ctest --test-dir build-asan` runs the sanitizer build's tests alone.
SAN_DIR=${CRM_SANITIZER_BUILD_DIR:-build-asan}
if [ "$what" = test ]; then
  CXX=clang++ cmake -S . -B "$SAN_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCRM_SANITIZE=ON \
    -DCRM_BUILD_INTEGRATION_TESTS=OFF -DCRM_BUILD_BENCH=OFF >/dev/null
  cmake --build "$SAN_DIR" -j"$(nproc)"
  ALL_DIR=${BUILD_DIR%/}-all
  mkdir -p "$ALL_DIR"
  printf 'subdirs("%s" "%s")\n' "$(cd "$BUILD_DIR" && pwd)" "$(cd "$SAN_DIR" && pwd)" >"$ALL_DIR/CTestTestfile.cmake.new"
  cmp -s "$ALL_DIR/CTestTestfile.cmake.new" "$ALL_DIR/CTestTestfile.cmake" 2>/dev/null ||
    mv "$ALL_DIR/CTestTestfile.cmake.new" "$ALL_DIR/CTestTestfile.cmake"
  rm -f "$ALL_DIR/CTestTestfile.cmake.new"
fi

# The JavaScript test packages (tests/clients: kafkajs, the CloudEvents SDK,
# @asyncapi/parser, ajv; tests/deploy: the manifest and Dockerfile linters),
# at the versions each package-lock.json pins; installed again only when the
# lock file changes. A failed npm ci stops the run.
if [ "$what" = test ]; then
  for dir in tests/clients tests/deploy; do
    if ! cmp -s "$dir/package-lock.json" "$dir/node_modules/.package-lock.json.installed" 2>/dev/null; then
      (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) || exit 1
      cp "$dir/package-lock.json" "$dir/node_modules/.package-lock.json.installed"
    fi
  done
fi

case "$what" in
  demo) exec "$BUILD_DIR/pipeline/crmstream" demo "$@" ;;
  test) exec ctest --test-dir "$ALL_DIR" --output-on-failure -j2 "$@" ;;
  build | bench) ;;
  *) echo "usage: $0 demo|test|build|bench" >&2; exit 2 ;;
esac
