#!/usr/bin/env bash
# Every command's output on the loaded example, byte for byte, in every
# format (table, tsv, tsv with --header, csv, csv for Excel, json) and the
# HTML report, against the files checked in under
# tests/integration/golden/diskopukm/. What differs between runs (the times
# of revisions and events, the uid and pid of the CLI that made them) is
# replaced by fixed text before the comparison.
#
# After a deliberate change of the output, write the files anew with
#   RENJA_GOLDEN_UPDATE=1 ctest -R golden_output
# and review the diff of tests/integration/golden/ before committing it.
source "$(dirname "$0")/lib.sh"

GOLDEN="$RENJA_SRC/tests/integration/golden/diskopukm"
OUT="$T/golden"
mkdir -p "$OUT"
export TZ=WIB-7

init_store "$T/data"
start_daemon "$T/data"
export RENJA
bash "$RENJA_SRC/examples/diskopukm-sumsel-2024/load.sh" >"$T/load.out" 2>"$T/load.err" \
  || { cat "$T/load.err" >&2; fail "load.sh"; finish; }
pass "load.sh loads the example"
P=diskopukm-sumsel/2024
STAGES=(rancangan-apbd apbd perkada-1 perkada-8 rancangan-perubahan banggar apbd-p)

# A sub kegiatan changed by hand, so that log shows added, removed and
# changed fields too.
"$RENJA" set $P 2.17.08.1.01.0002 lokasi=Palembang "indikator.1.target=12,5" \
  --message "lokasi dan target" >/dev/null
"$RENJA" set $P 2.17.08.1.01.0099 nama="Sub kegiatan baru" bidang=Sekretariat pagu=1.000.000 \
  --message "baru" >/dev/null
"$RENJA" rm $P 2.17.08.1.01.0099 --message "hapus lagi" >/dev/null
"$RENJA" plan lock $P >/dev/null
"$RENJA" plan unlock $P >/dev/null

# Times are the time of the run: the same width, fixed. The client of a
# revision names the uid and pid of the CLI that made it: fixed too, and
# as its width changes the alignment of log's human table, the blanks of
# those tables are squeezed.
fixed_times() {
  sed -E -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z/2000-01-01T00:00:00Z/g' \
    -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} WIB/2000-01-01 07:00:00 WIB/g' \
    -e 's/unix uid [0-9]+ pid [0-9]+/unix uid U pid P/g'
}

: >"$OUT/exit-codes"
# run NAME ARGS...: the command in every format.
run() {
  local name=$1; shift
  local f rc
  for f in table tsv tsv-header csv excel json; do
    local opts=(--format "$f")
    case $f in
    tsv-header) opts=(--format tsv --header) ;;
    excel) opts=(--format csv --excel) ;;
    esac
    rc=0
    "$RENJA" "${opts[@]}" "$@" >"$T/raw" 2>"$T/err" || rc=$?
    if [ "$f" = table ] && [ "${name#log}" != "$name" ]; then
      fixed_times <"$T/raw" | sed -E 's/  +/  /g; s/--+/--/g' >"$OUT/$name.$f"
    else
      fixed_times <"$T/raw" >"$OUT/$name.$f"
    fi
    echo "$name.$f $rc" >>"$OUT/exit-codes"
  done
}

run plan-list plan list
run stage-list stage list $P
run token-list token list
run show-apbd show $P --at apbd
run show-apbd-p show $P --at apbd-p
run show-head show $P
run show-subtree show $P 2.17.08 --at apbd-p
run show-lines show $P --lines --at apbd
run show-realisasi show $P --realisasi
run diff diff $P apbd apbd-p
run diff-all diff $P apbd apbd-p --all
run diff-changed-only diff $P apbd apbd-p --changed-only
run diff-program diff $P apbd apbd-p --level program
run diff-bidang diff $P apbd apbd-p --by bidang
run diff-sumber-dana diff $P apbd apbd-p --by sumber-dana
run diff-rekening diff $P rancangan-apbd apbd-p --by rekening
run diff-head diff $P apbd-p head
run compare compare $P "${STAGES[@]}"
run compare-deltas compare $P "${STAGES[@]}" --deltas
run compare-items compare $P apbd apbd-p --items
run compare-all-rows compare $P apbd perkada-1 apbd-p --all-rows
run eval-apbd eval $P --tw 2 --at apbd
run eval-apbd-p eval $P --tw 2 --at apbd-p
run eval-tw1 eval $P --tw 1 --at apbd-p --realisasi-at apbd
run validate-apbd validate $P --at apbd
run validate-head validate $P
run log log $P
run log-limit log $P --limit 3 --before 6
run log-item log $P 2.17.08.1.01.0002
run log-program log $P 2.17.08
run log-events log $P --events
run export export $P --at apbd-p
run health health

# info: what depends on the build and the run (version, uptime) is fixed.
for f in table tsv json; do
  "$RENJA" --format $f info >"$T/raw"
  fixed_times <"$T/raw" | sed -E -e 's/^(version\t|versi +).*/\1V/' \
    -e 's/("version": )"[^"]*"/\1"V"/' \
    -e 's/("uptime_seconds": |^uptime_seconds\t|^aktif \(detik\) +)[0-9]+/\10/' >"$OUT/info.$f"
done

# watch: the revisions so far, one line each, then it is stopped.
nrev=$("$RENJA" --format tsv log $P | wc -l)
for f in table tsv tsv-header csv json; do
  opts=(--format "$f") want=$nrev
  [ "$f" = tsv-header ] && opts=(--format tsv --header) want=$((nrev + 1))
  : >"$T/watch.$f"
  "$RENJA" "${opts[@]}" watch $P --from 1 >>"$T/watch.$f" 2>"$T/err" &
  w=$!
  for i in $(seq 1 400); do
    [ "$(wc -l <"$T/watch.$f")" -ge "$want" ] && break
    sleep 0.05
  done
  kill -TERM $w
  wait $w || true
  fixed_times <"$T/watch.$f" >"$OUT/watch.$f"
done

# The printable report: the same tables for people, in HTML.
"$RENJA" report $P -o "$OUT/report.html" --tw 2 >"$T/out" 2>"$T/err" \
  || fail "report: $(cat "$T/err")"

# Write commands, last: what each prints, on a plan of their own; each
# once in json (it changes the plan) and once in the table (it changes
# nothing more).
# once NAME FORMAT ARGS...
once() {
  local name=$1 f=$2 rc=0
  shift 2
  "$RENJA" --format "$f" "$@" >"$T/raw" 2>"$T/err" || rc=$?
  fixed_times <"$T/raw" >"$OUT/$name.$f"
  echo "$name.$f $rc" >>"$OUT/exit-codes"
}
Q=golden/2024
cat >"$T/q.json" <<'EOF'
{"items": [{"kode": "2.17", "nama": "Urusan \"Koperasi\"\tUKM", "bidang": "Sekretariat",
  "indikator": [{"nama": "Rasio", "satuan": "%", "target": "3,14"}]}]}
EOF
once plan-create json plan create $Q --nama "Renja uji"
for f in json table; do
  once import $f import $Q "$T/q.json" --message "awal"
  once set $f set $Q 2.17 lokasi=Palembang --message "lokasi"
  once realisasi $f realisasi $Q 2.17 --tw 1 --indikator 1 1,5 --message "tw 1"
  once stage-set $f stage set $Q "apbd-$f" --rev 2 --title "APBD"
  once lock $f plan lock $Q
  once unlock $f plan unlock $Q
done
run show-quoted show $Q
run export-quoted export $Q

if [ "${RENJA_GOLDEN_UPDATE:-}" = 1 ]; then
  rm -rf "$GOLDEN"
  mkdir -p "$GOLDEN"
  cp "$OUT"/* "$GOLDEN"/
  pass "golden files written to $GOLDEN"
  finish
  exit
fi

n=0
for g in "$GOLDEN"/*; do
  name=$(basename "$g")
  n=$((n + 1))
  if [ ! -f "$OUT/$name" ]; then
    fail "$name: no longer produced"
  elif cmp -s "$g" "$OUT/$name"; then
    pass "$name"
  else
    fail "$name differs from the golden file:"
    diff -u "$g" "$OUT/$name" | head -40 >&2 || true
  fi
done
for o in "$OUT"/*; do
  [ -f "$GOLDEN/$(basename "$o")" ] || fail "$(basename "$o"): no golden file"
done
[ "$n" -gt 100 ] || fail "only $n golden files in $GOLDEN"
finish
