#!/usr/bin/env bash
# Benchmark (prints figures; not a CTest test): renja report on a generated
# plan of N sub kegiatan (default 10,000) with two stages and realisasi of
# TW II, to XLSX and to HTML; then the XLSX is opened with openpyxl.
#
#   bash tests/bench/bench_report.sh [N]      # RENJAD/RENJA default to build/
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
RENJAD=${RENJAD:-$root/build/renjad}
RENJA=${RENJA:-$root/build/renja}
N=${1:-10000}
T=$(mktemp -d /tmp/renja-bench-report.XXXXXX)
pid=""
cleanup() {
  [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT

now() { echo "$EPOCHREALTIME"; }
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }'; }

plan=$(/usr/bin/python3 "$here/gen_plan.py" "$N" "$T/plan")
"$RENJAD" init --data-dir "$T/data" >"$T/token" 2>/dev/null
"$RENJAD" --data-dir "$T/data" --listen "unix:$T/s.sock" 2>"$T/renjad.log" &
pid=$!
for _ in $(seq 1 100); do [ -S "$T/s.sock" ] && break; sleep 0.05; done
export RENJA_SERVER="unix:$T/s.sock" RENJA_TOKEN
RENJA_TOKEN=$(cat "$T/token")
P=bench-report/2024
r() { "$RENJA" --format tsv --timeout 300 "$@"; }
r plan create $P --nama "Renja Dinas Uji Provinsi Contoh 2024" >/dev/null
r1=$(r import $P "$T/plan/1-induk.json")
r stage set $P apbd --rev "$r1" --order 1 --title "APBD 2024" >/dev/null
r2=$(r import $P "$T/plan/2-perubahan.json")
r stage set $P apbd-p --rev "$r2" --order 2 --title "APBD-P 2024" >/dev/null
r import $P "$T/plan/3-realisasi.json" >/dev/null

t=$(now)
"$RENJA" --timeout 300 report $P -o "$T/r.xlsx" 2>/dev/null
xlsx_s=$(since "$t")
t=$(now)
"$RENJA" --timeout 300 report $P -o "$T/r.html" 2>/dev/null
html_s=$(since "$t")
t=$(now)
rows=$(/usr/bin/python3 -c '
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
print(" ".join("%s=%d" % (n, wb[n].max_row) for n in wb.sheetnames))' "$T/r.xlsx")
open_s=$(since "$t")
echo "generated plan: $plan"
echo "report of $N sub kegiatan: xlsx $(stat -c %s "$T/r.xlsx") bytes in ${xlsx_s} s, html $(stat -c %s "$T/r.html") bytes in ${html_s} s"
echo "openpyxl opened the xlsx in ${open_s} s: rows per sheet: $rows"
