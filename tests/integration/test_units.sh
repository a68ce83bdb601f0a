#!/usr/bin/env bash
# Targets and realisasi in units, and realisasi broken down by lokasi,
# through the real CLI: a realisasi keeps
# the unit it was counted in, a target may have several parts ("12 Bulan 3
# dok"), eval computes capaian only where the units match and says why not
# elsewhere, validate warns.
source "$(dirname "$0")/lib.sh"

D="$T/data"
"$RENJAD" init --data-dir "$D" >"$T/admin" 2>/dev/null
start_daemon "$D"
RENJA_TOKEN=$(cat "$T/admin"); export RENJA_TOKEN
P=satuan/2024
"$RENJA" plan create $P >/dev/null
cat >"$T/plan.json" <<'JSON'
{"items": [
  {"kode": "2.17", "nama": "Urusan"},
  {"kode": "2.17.01", "nama": "Program"},
  {"kode": "2.17.01.1.06", "nama": "Kegiatan"},
  {"kode": "2.17.01.1.06.0001", "nama": "Komponen Instalasi Listrik", "pagu": "20.000.000",
   "indikator": [{"nama": "Jumlah Paket", "target_text": "12 Bulan 3 dok",
                  "parts": [{"value": 12, "satuan": "bulan"}, {"value": "3", "satuan": "dok"}]}]},
  {"kode": "2.17.01.1.06.0002", "nama": "Peralatan", "pagu": "60.000.000",
   "indikator": [{"nama": "Jumlah Paket", "satuan": "jenis", "target": 12}]}
]}
JSON
expect_exit "import a target in two units" 0 "$RENJA" import $P "$T/plan.json"
check "the first part is the indikator's target and satuan" '[12, "bulan", "12 Bulan 3 dok"]' \
  "$("$RENJA" --format json show $P 2.17.01.1.06.0001 | json '[j["items"][0]["indikator"][0][k] for k in ("target", "satuan", "target_text")]')"
"$RENJA" stage set $P apbd --rev head >/dev/null
"$RENJA" realisasi $P 2.17.01.1.06.0001 --tw 2 --indikator 1 6 >/dev/null
"$RENJA" realisasi $P 2.17.01.1.06.0002 --tw 2 --indikator 1 6 >/dev/null
check "a realisasi reported without a unit keeps its indikator's" '["bulan", "jenis"]' \
  "$("$RENJA" --format json show $P --realisasi | json '[r["satuan"] for r in j["realisasi"]]')"
cap() { "$RENJA" --format json eval $P --tw 2 "$@" | json '[[r["kode"][-4:], r["capaian"], r["note"]] for r in j["rows"] if r["kode"].count(".") == 5]'; }
check "capaian in the matching unit" '[["0001", 50.0, ""], ["0002", 50.0, ""]]' "$(cap)"

# The perubahan changes the units: no capaian across units, and why.
"$RENJA" set $P 2.17.01.1.06.0002 indikator.1.satuan=paket indikator.1.target=2 >/dev/null
echo '{"items": [{"kode": "2.17.01.1.06.0001", "nama": "Komponen Instalasi Listrik", "pagu": "20.000.000",
  "indikator": [{"nama": "Jumlah Paket", "satuan": "paket", "target": 4}]}]}' >"$T/p.json"
"$RENJA" import $P "$T/p.json" >/dev/null
"$RENJA" stage set $P apbd-p --rev head >/dev/null
check "no capaian across units at apbd-p (not 150 and 300 %)" \
  '[["0001", null, "realisasi is counted in bulan, the target in paket"], ["0002", null, "realisasi is counted in jenis, the target in paket"]]' \
  "$(cap --at apbd-p)"
check "the stage before still evaluates" '[["0001", 50.0, ""], ["0002", 50.0, ""]]' "$(cap --at apbd)"
"$RENJA" --format json validate $P >"$T/v.json" || true
check "validate warns of both" '["2.17.01.1.06.0001", "2.17.01.1.06.0002"]' \
  "$(json '[f["kode"] for f in j["findings"] if f["rule"] == "satuan-mismatch" and f["severity"] == "warning"]' <"$T/v.json")"
check "the warning names both units" 1 \
  "$(json '[f["message"] for f in j["findings"] if f["kode"] == "2.17.01.1.06.0002" and f["rule"] == "satuan-mismatch"]' <"$T/v.json" | grep -c 'counted in jenis, its target in paket')"

# A realisasi given in one part's unit (any case) is measured against it.
echo '{"items": [{"kode": "2.17.01.1.06.0001", "nama": "Komponen Instalasi Listrik", "pagu": "20.000.000",
  "indikator": [{"nama": "Jumlah Paket", "parts": [{"value": 12, "satuan": "bulan"}, {"value": 3, "satuan": "dok"}]}]}],
 "realisasi": [{"kode": "2.17.01.1.06.0001", "tw": 3, "indikator": 1, "value": 3, "satuan": "Dok"}]}' >"$T/d.json"
expect_exit "import a realisasi in the second unit" 0 "$RENJA" import $P "$T/d.json"
check "3 dok of 3 dok is 100 %, shown against that part" '[[100.0, 3, "dok"]]' \
  "$("$RENJA" --format json eval $P --tw 3 | json '[[r["capaian"], r["target"], r["satuan"]] for r in j["rows"] if r["kode"] == "2.17.01.1.06.0001"]')"
echo '{"items": [{"kode": "2.17.01.1.06.0001", "nama": "K", "indikator": [{"nama": "J", "target": 5, "parts": [{"value": 12, "satuan": "bulan"}]}]}]}' >"$T/bad.json"
expect_exit "a target that is not its first part's is refused" 7 "$RENJA" import $P "$T/bad.json"
if grep -q "must be those of the first part" "$T/err"; then pass "says what is expected"; else fail "$(cat "$T/err")"; fi
check "export keeps the parts and the realisasi's unit" '[["bulan", "dok"], ["Dok", "bulan", "jenis"]]' \
  "$("$RENJA" --format json export $P | json '[[p["satuan"] for p in [i for i in j["items"] if i["kode"] == "2.17.01.1.06.0001"][0]["indikator"][0]["parts"]], sorted(r["satuan"] for r in j["realisasi"])]')"

# A realisasi broken down by kab/kota, with the indikator's formula.
cat >"$T/b.json" <<'JSON'
{"items": [{"kode": "2.17.06", "nama": "Program", "indikator": [
   {"nama": "Persentase koperasi aktif", "satuan": "%", "target": "66,2", "formula": "ratio"},
   {"nama": "Omzet", "satuan": "%", "target": 16, "formula": "growth"},
   {"nama": "Lain", "satuan": "%", "target": 1}]}],
 "realisasi": [
   {"kode": "2.17.06", "tw": 2, "indikator": 1, "value": "60,49", "breakdown": [
     {"lokasi": "Ogan Komering Ulu", "num": 285, "den": 395}, {"lokasi": "Palembang", "num": "723", "den": 1130}]},
   {"kode": "2.17.06", "tw": 2, "indikator": 2, "value": 47, "breakdown": [
     {"lokasi": "Banyuasin", "before": "114,47", "after": "371,68"}]}]}
JSON
expect_exit "import a breakdown by kab/kota" 0 "$RENJA" import $P "$T/b.json"
"$RENJA" --format json eval $P --tw 2 >"$T/e.json"
check "eval shows each lokasi and recomputes the total (1.008 of 1.525)" \
  '[[72.15, 63.98, 66.0984], [224.7, 224.6964]]' \
  "$(json '[[x["pct"] for x in r["breakdown"]] + [r["computed"]] for r in j["rows"] if r["kode"] == "2.17.06" and r["breakdown"]]' <"$T/e.json")"
"$RENJA" --format json validate $P >"$T/v2.json" || true
check "validate compares the stated realisasi with its breakdown" \
  '[[1, "60,49", "66,10"], [2, "47", "224,70"]]' \
  "$(json '[[int(f["message"].split()[3]), f["message"].split("stated as ")[1].split()[0], f["message"].split("gives ")[1].split()[0]] for f in j["findings"] if f["rule"] == "breakdown-mismatch"]' <"$T/v2.json")"
check "export writes the formula and the breakdown" '["ratio", 2]' \
  "$("$RENJA" --format json export $P | json '[[i for i in j["items"] if i["kode"] == "2.17.06"][0]["indikator"][0]["formula"], len([r for r in j["realisasi"] if r["kode"] == "2.17.06" and r["indikator"] == 1][0]["breakdown"])]')"
echo '{"realisasi": [{"kode": "2.17.06", "tw": 3, "indikator": 3, "value": 1, "breakdown": [{"lokasi": "Lahat", "num": 1, "den": 2}]}]}' >"$T/nf.json"
expect_exit "a breakdown needs the indikator's formula" 7 "$RENJA" import $P "$T/nf.json"
if grep -q "indikator 3 has a breakdown by lokasi but no formula" "$T/err"; then pass "says what to declare"; else fail "$(cat "$T/err")"; fi
echo '{"realisasi": [{"kode": "2.17.06", "tw": 3, "indikator": 1, "value": 1, "breakdown": [{"lokasi": "Lahat", "num": 1, "den": 2}, {"lokasi": "Lahat", "num": 1, "den": 2}]}]}' >"$T/dup.json"
expect_exit "a lokasi twice in a breakdown" 7 "$RENJA" import $P "$T/dup.json"
if grep -q 'lokasi "Lahat" appears twice' "$T/err"; then pass "names the lokasi"; else fail "$(cat "$T/err")"; fi
echo '{"realisasi": [{"kode": "2.17.06", "tw": 3, "indikator": 1, "value": 1, "breakdown": [{"lokasi": "Lahat", "num": 1, "after": 2}]}]}' >"$T/mix.json"
expect_exit "a breakdown row is num/den or before/after" 7 "$RENJA" import $P "$T/mix.json"
# The README's limit: 1000 lokasi in one breakdown.
lokasi() { python3 -c 'import json,sys; n=int(sys.argv[1]); print(json.dumps({"realisasi": [{"kode": "2.17.06", "tw": 3, "indikator": 1, "value": 50, "breakdown": [{"lokasi": "L%d" % i, "num": 1, "den": 2} for i in range(n)]}]}))' "$1"; }
lokasi 1000 >"$T/l1000.json"
lokasi 1001 >"$T/l1001.json"
expect_exit "a breakdown of 1000 lokasi" 0 "$RENJA" import $P "$T/l1000.json"
expect_exit "a breakdown of 1001 lokasi is refused" 7 "$RENJA" import $P "$T/l1001.json"
if grep -q "1001 lokasi in the breakdown; at most 1000" "$T/err"; then pass "names the limit"; else fail "$(cat "$T/err")"; fi
finish
