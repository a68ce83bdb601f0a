#!/usr/bin/env bash
# Show of one kode is answered on renjad's loop thread while it takes at
# most 64 values, and by a pool thread past that: both give the whole
# answer. A kegiatan with 70 sub kegiatan (71 items), a rekening with 80
# lines below it, and a single sub kegiatan each come back complete, with
# their roll-ups; the same with --realisasi.
source "$(dirname "$0")/lib.sh"

D="$T/data"
init_store "$D"
start_daemon "$D"
P=light-show/2024
"$RENJA" plan create $P >/dev/null
/usr/bin/python3 - >"$T/plan.json" <<'PY'
import json
items = [{"kode": "2.17", "nama": "Urusan"}, {"kode": "2.17.01", "nama": "Program"},
         {"kode": "2.17.01.1.01", "nama": "Kegiatan", "bidang": "Sekretariat"}]
for i in range(1, 71):
    items.append({"kode": "2.17.01.1.01.%04d" % i, "nama": "Sub kegiatan %d" % i,
                  "bidang": "Sekretariat", "pagu": str(1000 * i)})
lines = [{"kode": "5", "nama": "Belanja", "pagu": str(sum(10 * i for i in range(1, 81)))},
         {"kode": "5.1", "nama": "Belanja operasi", "pagu": str(sum(10 * i for i in range(1, 81)))},
         {"kode": "5.1.02", "nama": "Belanja barang", "pagu": str(sum(10 * i for i in range(1, 81)))},
         {"kode": "5.1.02.01", "nama": "Barang", "pagu": str(sum(10 * i for i in range(1, 81)))},
         {"kode": "5.1.02.01.01", "nama": "Barang pakai habis", "pagu": str(sum(10 * i for i in range(1, 81)))}]
for i in range(1, 76):
    lines.append({"kode": "5.1.02.01.01.%04d" % i, "nama": "Rekening %d" % i, "pagu": str(10 * i)})
lines[-1]["pagu"] = str(sum(10 * i for i in range(75, 81)))
print(json.dumps({"items": items, "lines": lines}))
PY
"$RENJA" import $P "$T/plan.json" >/dev/null

# show KODE [FLAGS]: "items lines pagu_rollup-of-the-first" from the JSON
show() {
  "$RENJA" --format json show $P "$@" | /usr/bin/python3 -c '
import json, sys
a = json.load(sys.stdin)
items, lines = a.get("items", []), a.get("lines", [])
first = (items or lines)[0]
print(len(items), len(lines), first.get("pagu_rollup", first.get("pagu")))'
}
check "a kegiatan of 70 sub kegiatan (past the loop's budget)" "71 0 2485000" "$(show 2.17.01.1.01)"
check "the whole urusan" "73 0 2485000" "$(show 2.17)"
check "one sub kegiatan (on the loop)" "1 0 7000" "$(show 2.17.01.1.01.0007)"
check "a rekening with 80 lines below it" "0 80 32400" "$(show 5 --lines)"
check "a kegiatan with its realisasi" "71 0 2485000" "$(show 2.17.01.1.01 --realisasi)"
expect_exit "a kode the plan does not have" 4 "$RENJA" show $P 2.17.01.1.01.0099
grep -q "no item or budget line 2.17.01.1.01.0099" "$T/err" \
  && pass "not found names the kode" || fail "not found: $(cat "$T/err")"
finish
