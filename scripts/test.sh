#!/usr/bin/env bash
# Builds renja twice (plain, and with ASan+UBSan) and runs every test with CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
jobs=$(nproc)
status=0
for variant in plain asan; do
  dir=build-test-$variant
  opt=OFF
  [ "$variant" = asan ] && opt=ON
  cmake -S . -B "$dir" -DRENJA_SANITIZE=$opt -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$dir" -j "$jobs"
  echo "== ctest ($variant)"
  if ! ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
       ctest --test-dir "$dir" --output-on-failure --no-tests=error -j "$jobs"; then
    status=1
  fi
done
exit $status
