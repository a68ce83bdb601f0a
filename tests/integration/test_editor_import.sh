#!/usr/bin/env bash
# What is equal to the plan is no change: an editor imports a whole export
# of the plan (items of other bidang, budget lines and all) and only its real
# changes count; real changes to items of other bidang are refused all
# together, each named by its file line; a submit that changes nothing makes
# no revision and says so.
source "$(dirname "$0")/lib.sh"

D="$T/data"
init_store "$D"
start_daemon "$D"
UMKM=$("$RENJAD" token add --data-dir "$D" --name umkm --role editor --bidang "Bidang UMKM" 2>/dev/null)
P=ekspor/2024
B="Bidang UMKM"
"$RENJA" plan create $P >/dev/null
cat >"$T/plan.csv" <<'CSV'
tipe,kode,nama,bidang,lokasi,sumber_dana,pagu,indikator,satuan,target,tren
item,2.17,Urusan Koperasi,,,,,,,,
item,2.17.01,Program Penunjang,Sekretariat,,,,,,,
item,2.17.01.1.01,Perencanaan,Sekretariat,,,,,,,
item,2.17.01.1.01.0001,Penyusunan Dokumen,Sekretariat,Sumsel,PAD,188.500.000,Jumlah Dokumen,dokumen,2,positif
item,2.17.01.1.01.0002,Evaluasi Kinerja,Sekretariat,Sumsel,PAD,60.000.000,Jumlah Laporan,laporan,4,positif
item,2.17.08,Program UMKM,Bidang UMKM,,,,,,,
item,2.17.08.1.01,Pemberdayaan,Bidang UMKM,,,,,,,
item,2.17.08.1.01.0002,Literasi Hukum,Bidang UMKM,Sumsel,DAU,233.608.632,Pelaku UMKM,orang,150,positif
rekening,5,Belanja,,,,482.108.632,,,,
rekening,5.1,Belanja Operasi,,,,482.108.632,,,,
CSV
"$RENJA" import $P "$T/plan.csv" --message "awal" >/dev/null
"$RENJA" --token "$UMKM" realisasi $P 2.17.08.1.01.0002 --tw 2 --indikator 1 60 >/dev/null
"$RENJA" realisasi $P 2.17.01.1.01.0001 --tw 2 --anggaran 90.000.000 >/dev/null
head_rev() { "$RENJA" --format json log $P --limit 1 | json 'j["revisions"][0]["rev"]'; }
h0=$(head_rev)

# The editor sends back the whole export, as JSON and as CSV: nothing changed.
"$RENJA" --token "$UMKM" export $P >"$T/full.json"
"$RENJA" --token "$UMKM" --format csv export $P >"$T/full.csv"
expect_exit "an editor imports the whole JSON export" 0 "$RENJA" --token "$UMKM" import $P "$T/full.json"
check "it prints the head revision" "$h0" "$(cat "$T/out")"
if grep -q "nothing changed" "$T/err"; then pass "it says nothing changed"; else fail "stderr: $(cat "$T/err")"; fi
check "no revision was made" "$h0" "$(head_rev)"
expect_exit "an editor imports the whole CSV export" 0 "$RENJA" --token "$UMKM" import $P "$T/full.csv"
check "still no revision" "$h0" "$(head_rev)"
check "json output of an unchanged import" "$h0 True" \
  "$("$RENJA" --token "$UMKM" --format json import $P "$T/full.json" | json '"%s %s" % (j["rev"], j["unchanged"])')"

# A planner's set of the values an item has, and a realisasi reported again.
expect_exit "set to the same values" 0 "$RENJA" set $P 2.17.01 nama="Program Penunjang"
if grep -q "nothing changed" "$T/err"; then pass "set says nothing changed"; else fail "stderr: $(cat "$T/err")"; fi
expect_exit "the same realisasi again" 0 "$RENJA" --token "$UMKM" realisasi $P 2.17.08.1.01.0002 --tw 2 --indikator 1 60
expect_exit "clearing a realisasi never reported" 0 "$RENJA" realisasi $P 2.17.01.1.01.0002 --tw 3 --anggaran 0 --clear
check "no revision from any" "$h0" "$(head_rev)"
expect_exit "a realisasi of an unknown item stays an error, clear or not" 7 \
  "$RENJA" realisasi $P 2.17.01.1.01.0009 --tw 3 --anggaran 0 --clear

# One real change of its own among the unchanged rest: one revision, one key.
/usr/bin/python3 - "$T/full.json" "$T/own.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for it in d["items"]:
    if it["kode"] == "2.17.08.1.01.0002":
        it["lokasi"] = "Palembang"
json.dump(d, open(sys.argv[2], "w"), indent=1)
PY
check "an export with one change of its own" "$((h0 + 1)) 1 False" \
  "$("$RENJA" --token "$UMKM" --format json import $P "$T/own.json" | json '"%s %s %s" % (j["rev"], j["keys"], j["unchanged"])')"
check "the change is in" "Palembang" \
  "$("$RENJA" --format json show $P 2.17.08.1.01.0002 | json '[i["lokasi"] for i in j["items"] if i["kode"]=="2.17.08.1.01.0002"][0]')"

# Real changes to items of another bidang and to a budget line: refused in
# one error naming each line of the file; the editor's own change in the
# same file is not made either.
"$RENJA" --token "$UMKM" --format csv export $P >"$T/full.csv"
sed -e 's/^\(item,2.17.01.1.01.0001,Penyusunan Dokumen\),/\1 Baru,/' \
    -e 's/^\(item,2.17.01.1.01.0002,Evaluasi Kinerja\),/\1 Baru,/' \
    -e 's/^\(rekening,5.1,Belanja Operasi\),/\1 Baru,/' \
    -e 's/^\(item,2.17.08.1.01.0002,Literasi Hukum\),/\1 Baru,/' "$T/full.csv" >"$T/foreign.csv"
l1=$(grep -n "^item,2.17.01.1.01.0001," "$T/foreign.csv" | head -1 | cut -d: -f1)
l2=$(grep -n "^item,2.17.01.1.01.0002," "$T/foreign.csv" | head -1 | cut -d: -f1)
l3=$(grep -n "^rekening,5.1," "$T/foreign.csv" | head -1 | cut -d: -f1)
h1=$(head_rev)
expect_exit "changes to another bidang's items are refused" 5 "$RENJA" --token "$UMKM" import $P "$T/foreign.csv"
for l in "$l1 2.17.01.1.01.0001" "$l2 2.17.01.1.01.0002" "$l3 5.1"; do
  set -- $l
  if grep -qF "$T/foreign.csv:$1: " "$T/err" && grep "$T/foreign.csv:$1: " "$T/err" | grep -qF "$2"; then
    pass "the refusal names $T/foreign.csv:$1 ($2)"
  else fail "no line $1 ($2) in: $(cat "$T/err")"; fi
done
check "the refusal counts three changes" 1 "$(grep -c "3 change(s) refused" "$T/err")"
if grep -q "2.17.08.1.01.0002\|2.17.08.1.01:\|2.17.01.1.01 \|2.17.01 " "$T/err"; then
  fail "the refusal names an item that is no refused change: $(cat "$T/err")"
else pass "only the refused changes are named"; fi
check "nothing of it was written" "$h1" "$(head_rev)"
finish
