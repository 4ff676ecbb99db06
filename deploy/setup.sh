#!/usr/bin/env bash
# crmstream set-up on a fresh Debian machine (run as root, or with sudo).
#   deploy/setup.sh demo [demo options]   install what is missing, build, run the demo
#   deploy/setup.sh test                  install what is missing, build, run all tests
#   deploy/setup.sh build                 install what is missing, build
# Idempotent: installs only missing packages and builds incrementally in ./build.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages, each for one reason (README "Dependencies" says why).
PACKAGES=(
  build-essential cmake pkg-config
  librdkafka-dev librocksdb-dev libsimdjson-dev prometheus-cpp-dev
  libtomlplusplus-dev libcli11-dev libspdlog-dev nlohmann-json3-dev libcpp-httplib-dev libnlopt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  kcat
)

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

what=${1:-build}
[ $# -gt 0 ] && shift
case "$what" in
  demo) exec "$BUILD_DIR/pipeline/crmstream" demo "$@" ;;
  test) exec ctest --test-dir "$BUILD_DIR" --output-on-failure -j2 "$@" ;;
  build) ;;
  *) echo "usage: $0 demo|test|build" >&2; exit 2 ;;
esac
