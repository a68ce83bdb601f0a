#!/usr/bin/env bash
# Exports are lossless in every format (real renjad, real renja): the seed
# (examples/diskopukm-sumsel-2024, loaded by load.sh) exported as CSV and as
# JSON, each imported into a new plan, exports again to the same file
# (`diff` shows nothing), the CSV copy's JSON export equals the original's,
# and eval answers identically at every triwulan. (validate is not compared:
# its stage-to-stage findings need the history, which an export is not.)
#
# With ROUNDTRIP_ITEMS=N the plan is instead a generated one of N items
# (test_roundtrip_large.sh: 26,000).
source "$(dirname "$0")/lib.sh"

init_store "$T/data"
start_daemon "$T/data"
if [ -n "${ROUNDTRIP_ITEMS:-}" ]; then
  P=besar/2024
  "$RENJA" plan create $P >/dev/null
  /usr/bin/python3 "$RENJA_SRC/tests/integration/gen_roundtrip_plan.py" "$ROUNDTRIP_ITEMS" >"$T/gen.json"
  "$RENJA" import $P "$T/gen.json" --message "generated" >/dev/null 2>"$T/gen.err" \
    || { cat "$T/gen.err" >&2; fail "the generated plan imports"; finish; }
  pass "a generated plan of $("$RENJA" --format json show $P | json "len(j['items'])") items imports"
else
  P=diskopukm-sumsel/2024
  export RENJA
  bash "$RENJA_SRC/examples/diskopukm-sumsel-2024/load.sh" >"$T/load.out" 2>"$T/load.err" \
    || { cat "$T/load.err" >&2; fail "load.sh"; finish; }
  pass "load.sh loads the example"
fi

# strip_plan FILE: a JSON export without what names the plan (plan, nama,
# rev, stages), which import ignores.
strip_plan() {
  /usr/bin/python3 -c "
import json, sys
j = json.load(open(sys.argv[1]))
for k in ('plan', 'nama', 'rev', 'stages'):
    j.pop(k, None)
print(json.dumps(j, indent=1, sort_keys=True, ensure_ascii=False))" "$1"
}
# answers PLAN OUT: eval at every triwulan, without the plan's name and revisions.
answers() {
  local tw
  for tw in 1 2 3 4; do
    "$RENJA" --format json eval "$1" --tw $tw
  done >"$2.raw"
  sed -E 's/"plan": "[^"]*", //; s/"(at_rev|realisasi_rev|rev)": [0-9]+, //g' "$2.raw" >"$2"
}

"$RENJA" --format json export $P >"$T/orig.json"
"$RENJA" --format csv export $P >"$T/orig.csv"
answers $P "$T/orig.answers"
check "the original has items, lines and realisasi" 1 \
  "$(json "int(len(j['items']) > 0 and len(j['lines']) > 0 and len(j['realisasi']) > 0)" <"$T/orig.json")"
check "the original has a target whose text is not its value alone" 1 \
  "$(json "int(any(k['target_text'] not in ('', str(k['target'])) for i in j['items'] for k in i['indikator']))" <"$T/orig.json")"

for fmt in csv json; do
  C=copy-$fmt/2024
  "$RENJA" plan create $C >/dev/null
  start=$(date +%s%N)
  expect_exit "the $fmt export imports into a new plan" 0 "$RENJA" import $C "$T/orig.$fmt"
  echo "import of the $fmt export: $((($(date +%s%N) - start) / 1000000)) ms"
  "$RENJA" --format $fmt export $C >"$T/copy.$fmt"
  if [ $fmt = json ]; then
    strip_plan "$T/orig.json" >"$T/orig.cmp"
    strip_plan "$T/copy.json" >"$T/copy.cmp"
  else
    cp "$T/orig.csv" "$T/orig.cmp"
    cp "$T/copy.csv" "$T/copy.cmp"
  fi
  if diff "$T/orig.cmp" "$T/copy.cmp" >"$T/diff.out"; then pass "$fmt round trip: diff shows nothing"
  else fail "$fmt round trip: diff shows $(wc -l <"$T/diff.out") lines: $(head -c 600 "$T/diff.out")"; fi
  "$RENJA" --format json export $C >"$T/copy-as-json.json"
  strip_plan "$T/orig.json" >"$T/a.cmp"
  strip_plan "$T/copy-as-json.json" >"$T/b.cmp"
  if diff "$T/a.cmp" "$T/b.cmp" >"$T/diff.out"; then pass "$fmt round trip: the copy's JSON export equals the original's"
  else fail "$fmt round trip: JSON exports differ: $(head -c 600 "$T/diff.out")"; fi
  answers $C "$T/copy.answers"
  if diff "$T/orig.answers" "$T/copy.answers" >"$T/diff.out"; then pass "$fmt round trip: eval identical"
  else fail "$fmt round trip: eval differs: $(head -c 600 "$T/diff.out")"; fi
done

check "daemon still serving" SERVING "$("$RENJA" health)"
finish
