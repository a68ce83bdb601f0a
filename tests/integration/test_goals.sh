#!/usr/bin/env bash
# Tujuan and sasaran (Tabel 2) as plan content through the real CLI: import
# and export, who may change them, removal, the sasaran a program names,
# realisasi, eval's section of their own, diff, log and validate.
source "$(dirname "$0")/lib.sh"

D="$T/data"
"$RENJAD" init --data-dir "$D" >"$T/admin" 2>/dev/null
start_daemon "$D"
RENJA_TOKEN=$(cat "$T/admin"); export RENJA_TOKEN
UMKM=$("$RENJAD" token add --data-dir "$D" --name umkm --role editor --bidang "Bidang Pemberdayaan Usaha Kecil" 2>/dev/null)
PLANNER=$("$RENJAD" token add --data-dir "$D" --name perencana --role planner 2>/dev/null)
P=tujuan/2024
"$RENJA" plan create $P >/dev/null

cat >"$T/plan.json" <<'EOF'
{
  "goals": [
    {"kode": "t1", "nama": "Meningkatnya Kontribusi Sektor Koperasi dan UMKM", "indikator": [
      {"nama": "Pertumbuhan PDRB", "satuan": "%", "target": "3,93"}]},
    {"kode": "T1.S1", "kind": "sasaran", "nama": "Meningkatnya Pertumbuhan UMKM", "indikator": [
      {"nama": "Rasio kewirausahaan", "satuan": "%", "target": "3,14"}]}
  ],
  "items": [
    {"kode": "2.17", "nama": "Urusan", "bidang": "Sekretariat"},
    {"kode": "2.17.08", "nama": "Program Pengembangan UMKM", "bidang": "Bidang Pemberdayaan Usaha Kecil",
     "sasaran": ["T1.S1"], "indikator": [{"nama": "Rasio Kewirausahaan", "satuan": "%", "target": "3,14"}]}
  ]
}
EOF
expect_exit "import with tujuan, sasaran and a program naming its sasaran" 0 \
  "$RENJA" import $P "$T/plan.json" --message "renstra"
"$RENJA" stage set $P apbd --rev head >/dev/null
"$RENJA" --format json show $P >"$T/show.json"
check "show lists the goals in kode order with their kind" '["T1 tujuan", "T1.S1 sasaran"]' \
  "$(json '[g["kode"] + " " + g["kind"] for g in j["goals"]]' <"$T/show.json")"
check "the program keeps the sasaran it names" '["T1.S1"]' \
  "$("$RENJA" --format json export $P | json '[i for i in j["items"] if i["kode"] == "2.17.08"][0]["sasaran"]')"

# Who may change them.
expect_exit "an editor's import of the plan as it is changes nothing" 0 \
  "$RENJA" --token "$UMKM" import $P "$T/plan.json"
sed 's/"target": "3,93"/"target": "4,5"/' "$T/plan.json" >"$T/plan-t1.json"
expect_exit "an editor may not change a tujuan" 5 "$RENJA" --token "$UMKM" import $P "$T/plan-t1.json"
if grep -q "no budget line, tujuan or sasaran; 1 change(s) refused" "$T/err" &&
  grep -q ": tujuan T1$" "$T/err"; then
  pass "the refusal names the tujuan"; else fail "refusal: $(cat "$T/err")"; fi
expect_exit "an editor may not report a goal's realisasi" 5 \
  "$RENJA" --token "$UMKM" realisasi $P T1.S1 --tw 2 --indikator 1 3,09
expect_exit "an editor's set of its program keeps the sasaran" 0 \
  "$RENJA" --token "$UMKM" set $P 2.17.08 lokasi=Sumsel
check "sasaran still named after set" '["T1.S1"]' \
  "$("$RENJA" --format json export $P | json '[i for i in j["items"] if i["kode"] == "2.17.08"][0]["sasaran"]')"
expect_exit "a planner reports a goal's realisasi" 0 \
  "$RENJA" --token "$PLANNER" realisasi $P T1.S1 --tw 2 --indikator 1 3,09
expect_exit "realisasi of an indikator the goal lacks" 7 \
  "$RENJA" --token "$PLANNER" realisasi $P T1 --tw 2 --indikator 2 1
if grep -q "goal T1: indikator 2 does not exist" "$T/err"; then pass "names the goal and indikator"; else fail "$(cat "$T/err")"; fi

# eval: Tabel 2 in a section of its own; Tabel 2-1 rows are unchanged.
"$RENJA" realisasi $P T1 --tw 2 --indikator 1 2,12 >/dev/null
"$RENJA" --format json eval $P --tw 2 >"$T/eval.json"
check "eval goals: capaian per indikator" '["T1#1 53.94 Rendah", "T1.S1#1 98.41 Sangat Tinggi"]' \
  "$(json '["%s#%d %s %s" % (g["kode"], g["indikator_no"], g["capaian"], g["predikat"]) for g in j["goals"]]' <"$T/eval.json")"
check "eval rows hold the program tree only" '["2.17.08"]' "$(json '[r["kode"] for r in j["rows"]]' <"$T/eval.json")"
check "eval summary counts no goal" 1 "$(json 'j["summary"]["not_reported"]' <"$T/eval.json")"
"$RENJA" --format table eval $P --tw 2 >"$T/eval.txt"
check "the table has the goal section" 1 "$(grep -c '^Pencapaian kinerja pelayanan' "$T/eval.txt")"

# Versioned: diff, log, the stage keeps its target.
cat >"$T/t1.json" <<'EOF'
{"goals": [{"kode": "T1", "nama": "Meningkatnya Kontribusi Sektor Koperasi dan UMKM", "indikator": [
  {"nama": "Pertumbuhan PDRB", "satuan": "%", "target": "4"}]}]}
EOF
"$RENJA" --token "$PLANNER" import $P "$T/t1.json" --message "target PDRB" >/dev/null
check "diff names the changed tujuan and its target" '[["T1", "modified", "3,93", "4"]]' \
  "$("$RENJA" --format json diff $P apbd head | json '[[g["kode"], g["change"], g["targets"][0]["from"], g["targets"][0]["to"]] for g in j["goals"]]')"
check "log T1 shows the change of target" 1 \
  "$("$RENJA" log $P T1 | grep -c 'indikator.1.target: 3.93 -> 4')"
check "eval at the stage takes the stage's target" 53.94 \
  "$("$RENJA" --format json eval $P --tw 2 --at apbd | json '[g["capaian"] for g in j["goals"] if g["kode"] == "T1"][0]')"
check "eval at head the new target (2,12 of 4)" True \
  "$("$RENJA" --format json eval $P --tw 2 | json '[g["capaian"] for g in j["goals"] if g["kode"] == "T1"][0] == 53')"

# Structure: a sasaran needs its tujuan; a tujuan goes with its sasaran.
echo '{"goals": [{"kode": "T2.S1", "nama": "Tanpa tujuan"}]}' >"$T/orphan.json"
expect_exit "a sasaran without its tujuan is refused" 7 "$RENJA" import $P "$T/orphan.json"
if grep -q "goal T2.S1: missing parent T2" "$T/err"; then pass "names the missing tujuan"; else fail "$(cat "$T/err")"; fi
echo '{"items": [{"kode": "2.17.08.101", "nama": "Kegiatan", "sasaran": ["T1.S1"]}]}' >"$T/kegiatan.json"
expect_exit "only a program names a sasaran" 7 "$RENJA" import $P "$T/kegiatan.json"
echo '{"items": [{"kode": "2.17.08", "nama": "Program", "sasaran": ["T1"]}]}' >"$T/tujuan.json"
expect_exit "a program names a sasaran, not a tujuan" 7 "$RENJA" import $P "$T/tujuan.json"
if grep -q 'is a tujuan; expected a sasaran' "$T/err"; then pass "says what was expected"; else fail "$(cat "$T/err")"; fi
expect_exit "a tujuan with sasaran is not removed alone" 7 "$RENJA" rm $P T1
if grep -q "it has child T1.S1" "$T/err"; then pass "names the sasaran"; else fail "$(cat "$T/err")"; fi
expect_exit "removed with its sasaran" 0 "$RENJA" rm $P t1 --recursive
check "no goals left, nor their realisasi" "0 0" \
  "$("$RENJA" --format json show $P --realisasi | json '"%d %d" % (len(j.get("goals", [])), len([r for r in j["realisasi"] if r["kode"].startswith("T")]))')"
"$RENJA" --format json validate $P >"$T/validate.json" || true
check "validate warns of the sasaran the program still names" \
  '[["2.17.08", "warning", "names sasaran T1.S1, which the plan does not have"]]' \
  "$(json '[[f["kode"], f["severity"], f["message"]] for f in j["findings"] if f["rule"] == "missing-sasaran"]' <"$T/validate.json")"
check "the stage still has them" 2 "$("$RENJA" --format json show $P --at apbd | json 'len(j["goals"])')"
finish
