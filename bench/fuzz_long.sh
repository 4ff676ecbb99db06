#!/usr/bin/env bash
# Runs every libFuzzer target (tests/fuzz) for long and prints, per target,
# the executions, the rate and the crashes found (bench/README.md).
#
#   bench/fuzz_long.sh [seconds per target, default 600] [target ...]
#
# Targets are the *_fuzz executables of the sanitizer build (CRM_SANITIZER_BUILD_DIR,
# default build-asan, as made by `deploy/setup.sh test`); they are brought up to
# date first. FUZZ_JOBS targets run at once (default: the number of cores).
# Each starts from its seed corpus and the build's working corpus (which it
# grows); after a crash the target restarts for the rest of its time (at most
# 10 crashes each). Crash inputs and logs go to <build>/fuzz-long/<time>/<target>/;
# copy a reproducer to tests/fuzz/regressions/<target>/ so CTest keeps checking it.
# Exits 1 if any target crashed.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-600}
[ $# -gt 0 ] && shift
build=${CRM_SANITIZER_BUILD_DIR:-build-asan}
jobs=${FUZZ_JOBS:-$(nproc)}
if [ ! -f "$build/CMakeCache.txt" ]; then
  echo "no sanitizer build in $build: run deploy/setup.sh test first" >&2
  exit 2
fi

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in tests/fuzz/*_fuzz.cc; do
    name=$(basename "$f" .cc)
    targets+=("${name%_fuzz}")
  done
fi
cmake --build "$build" -j"$(nproc)" --target "${targets[@]/%/_fuzz}" >/dev/null

out="$build/fuzz-long/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"

# Runs one target until its time is up; writes "<executions> <crashes>" to $out/<name>/result.
fuzz_one() {
  local name=$1 dir="$out/$1" bin="$build/tests/fuzz/$1_fuzz"
  local corpus="$build/tests/fuzz/corpus/$1" seeds="tests/fuzz/corpus/$1" dict=()
  mkdir -p "$dir" "$corpus"
  [ -f "tests/fuzz/$name.dict" ] && dict=(-dict="tests/fuzz/$name.dict")
  local end=$((SECONDS + seconds)) execs=0 crashes=0 run=0 left n
  while left=$((end - SECONDS)); [ "$left" -gt 0 ] && [ "$crashes" -lt 10 ]; do
    run=$((run + 1))
    if "$bin" -max_total_time="$left" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$dir/" "${dict[@]}" "$corpus" "$seeds" >"$dir/run$run.log" 2>&1; then
      :
    else
      crashes=$((crashes + 1))
    fi
    n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/run$run.log" | tail -1)
    execs=$((execs + ${n:-0}))
  done
  echo "$execs $crashes" >"$dir/result"
}

echo "fuzzing ${#targets[@]} targets for ${seconds}s each, $jobs at a time; logs in $out"
running=0
for t in "${targets[@]}"; do
  fuzz_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait -n
    running=$((running - 1))
  fi
done
wait

status=0
printf '%-20s %15s %12s %8s\n' target executions exec/s crashes
for t in "${targets[@]}"; do
  read -r execs crashes <"$out/$t/result"
  printf '%-20s %15d %12d %8d\n' "$t" "$execs" $((execs / seconds)) "$crashes"
  if [ "$crashes" -gt 0 ]; then
    status=1
    ls "$out/$t"/crash-* "$out/$t"/leak-* "$out/$t"/timeout-* "$out/$t"/oom-* 2>/dev/null | sed 's/^/    /'
  fi
done
exit "$status"
