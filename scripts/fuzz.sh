#!/usr/bin/env bash
# Runs every fuzz target (tests/fuzz/fuzz_*.c) with libFuzzer for SECONDS
# each and keeps what it finds:
#   OUT/<target>/corpus/   new inputs that reached new code (merge the good
#                          ones into tests/fuzz/corpus/<target>/)
#   OUT/<target>/crashes/  inputs that crashed or broke an invariant
#   OUT/<target>/log       libFuzzer's output
# Usage: bash scripts/fuzz.sh [SECONDS] [OUT] [TARGET...]   (defaults: 60, fuzz-out, all)
# Exits 1 when any target found a crash. Needs clang-14 (scripts/deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
out=${2:-fuzz-out}
shift $(($# < 2 ? $# : 2))
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for src in tests/fuzz/fuzz_*.c; do
    t=$(basename "$src" .c)
    targets+=("${t#fuzz_}")
  done
fi
cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang-14 -DRENJA_FUZZ=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j "$(nproc)" >/dev/null
status=0
for t in "${targets[@]}"; do
  mkdir -p "$out/$t/corpus" "$out/$t/crashes"
  dict=()
  case $t in input | json | csv) dict=(-dict=tests/fuzz/input.dict) ;; esac
  rc=0
  build-fuzz/fuzz_"$t" -max_total_time="$secs" -print_final_stats=1 \
    -artifact_prefix="$out/$t/crashes/" "${dict[@]}" "$out/$t/corpus" "tests/fuzz/corpus/$t" \
    >"$out/$t/log" 2>&1 || rc=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$out/$t/log" | grep -o '[0-9]*$' || echo "?")
  found=$(find "$out/$t/crashes" -type f | wc -l)
  kept=$(find "$out/$t/corpus" -type f | wc -l)
  echo "$t: $runs executions in $secs s, $kept inputs kept, $found crash(es)"
  if [ "$rc" != 0 ] || [ "$found" != 0 ]; then
    status=1
    echo "  see $out/$t/log and $out/$t/crashes/"
  fi
done
exit $status
