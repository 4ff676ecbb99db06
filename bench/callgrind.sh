#!/usr/bin/env bash
# Instructions per event on the processing path, with callgrind: a figure
# that the machine's load does not change, comparable across commits.
#   bench/callgrind.sh [events=200000] [customers=100000] [top=25]
# Runs build/bench/crm_bench_process_path under valgrind --tool=callgrind,
# collecting only inside ProcessChunk (decode, operators, state, timers,
# outputs, changelog, the commit's cut) and inside CommitSteps (the rest of
# the commit, on the committer's thread since the commit is pipelined;
# input generation and set-up excluded), then
# prints instructions per event and the top functions by inclusive cost.
# Callgrind runs the program ~50x slower: the default takes a few minutes.
# Needs valgrind (Debian package `valgrind`, installed by deploy/setup.sh bench).
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-200000}
customers=${2:-100000}
top=${3:-25}
bin=${CRM_BUILD_DIR:-build}/bench/crm_bench_process_path
[ -x "$bin" ] || { echo "build $bin first (cmake --build build --target crm_bench_process_path)" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "valgrind is missing: bash deploy/setup.sh bench" >&2; exit 2; }

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.out" \
  --toggle-collect='*ProcessChunk*' --toggle-collect='*CommitSteps*' "$bin" "$events" "$customers" >"$out/stdout" 2>"$out/valgrind.log"
total=$(grep -m1 '^summary:' "$out/callgrind.out" | awk '{print $2}')
[ -n "$total" ] || total=$(grep -m1 '^totals:' "$out/callgrind.out" | awk '{print $2}')

echo "== bench/callgrind.sh $events $customers ($(git rev-parse --short HEAD 2>/dev/null || echo '?')) =="
grep -E '^(records produced|state on disk)' "$out/stdout" || true
awk -v ir="$total" -v ev="$events" 'BEGIN { printf "instructions         %.0f in ProcessChunk and CommitSteps\ninstructions/event   %.0f\n", ir, ir / ev }'
echo
# callgrind_annotate's table, per event: "Ir (pct) file:function [object]",
# the same function sometimes under two file names (kept once), without the
# frames above ProcessChunk.
per_event() {
  awk -v ev="$events" -v top="$1" '
    /^-+$/ { dashes++; next }
    dashes >= 3 && NF >= 2 && $1 ~ /^[0-9,]+$/ && n < top {
      ir = $1; gsub(",", "", ir)
      name = $0
      sub(/^[ ]*[0-9,]+ +\([ 0-9.]+%\) +/, "", name)
      sub(/ \[[^]]*\]$/, "", name)
      sub(/^[^ ]*\.(cc|h|c|hpp|cpp|tcc):/, "", name)
      sub(/^[^ ]*\/[^ :]*:/, "", name)
      sub(/^\?\?\?:/, "", name)
      if (name ~ /^(PROGRAM TOTALS|main|\(below main\)|0x[0-9a-f]+|__libc_start_main.*)$/) next
      if (name in seen) next
      seen[name] = 1
      if (length(name) > 110) name = substr(name, 1, 107) "..."
      printf "%10.0f  %s\n", ir / ev, name; n++
    }'
}
echo "top $top functions by inclusive instructions per event:"
callgrind_annotate --inclusive=yes "$out/callgrind.out" 2>/dev/null | per_event "$top"
echo
echo "top $top functions by their own instructions per event:"
callgrind_annotate "$out/callgrind.out" 2>/dev/null | per_event "$top"
