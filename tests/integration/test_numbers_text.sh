#!/usr/bin/env bash
# No guessing with numbers, and one text for one value (real renjad, real
# renja). A decimal whose reading depends on the convention ("2.125": 2,125
# or 2125) is refused with both readings, from CSV, JSON, set and
# realisasi; Excel's Indonesian money ("1.234.567,00") and the CSV Excel
# saves (byte order mark, "Kode", trailing empty columns) are accepted. A
# target prints the same in eval, show, diff and log (the source's text),
# and machine formats keep the plain value in numeric columns.
source "$(dirname "$0")/lib.sh"

init_store "$T/data"
start_daemon "$T/data"
P=angka/2024
"$RENJA" plan create $P >/dev/null
cat >"$T/base.csv" <<'CSV'
kode,nama,bidang,pagu,indikator,satuan,target
2.17,Urusan,Sekretariat,,,,
2.17.01,Program,Sekretariat,,Persentase koperasi aktif,%,"66,20"
2.17.05,Program Wirausaha,Sekretariat,,Usaha kecil menjadi wirausaha,%,"3,0"
2.17.01.101,Kegiatan,Sekretariat,,,,
2.17.01.101.01,Sub,Sekretariat,100.000.000,Jumlah,dokumen,2
CSV
check "base imports" 1 "$("$RENJA" import $P "$T/base.csv")"

# bad NAME PATTERN FILE: refused (exit 7) naming both readings, nothing committed.
bad() {
  expect_exit "$1" 7 "$RENJA" import $P "$3"
  if grep -q -- "$2" "$T/err"; then pass "$1: the message shows both readings"
  else fail "$1: message [$(head -c 400 "$T/err")] lacks [$2]"; fi
  check "$1: nothing committed" 1 "$("$RENJA" --format json log $P | json "j['revisions'][0]['rev']")"
}
both="it reads as 2,125 with a decimal point or as 2125 with a thousands separator"
printf 'kode,target\n2.17.01,2.125\n' >"$T/amb.csv"
bad "CSV target 2.125" "amb.csv:2:9: .*$both" "$T/amb.csv"
printf '{"items": [{"kode": "2.17.01", "indikator": [{"target": "2.125"}]}]}\n' >"$T/amb.json"
bad "JSON target \"2.125\"" "$both" "$T/amb.json"
printf '{"realisasi": [{"kode": "2.17.01", "tw": 1, "indikator": 1, "value": "2.125"}]}\n' >"$T/ambr.json"
bad "JSON realisasi \"2.125\"" "$both" "$T/ambr.json"
printf 'tipe,kode,tw,indikator_no,realisasi\nrealisasi,2.17.01,1,1,105.787\n' >"$T/ambr.csv"
bad "CSV realisasi 105.787" "105,787 with a decimal point or as 105787" "$T/ambr.csv"
expect_exit "set indikator.1.target=2.125 is refused" 2 "$RENJA" set $P 2.17.01 indikator.1.target=2.125
if grep -q -- "$both" "$T/err"; then pass "set: the message shows both readings"
else fail "set: message [$(head -c 300 "$T/err")] lacks both readings"; fi
expect_exit "realisasi 2.125 is refused" 2 "$RENJA" realisasi $P 2.17.01 --tw 1 2.125
if grep -q -- "$both" "$T/err"; then pass "realisasi: the message shows both readings"
else fail "realisasi: message [$(head -c 300 "$T/err")] lacks both readings"; fi
# Unambiguous forms are read as written.
printf 'kode,target\n2.17.01,0.125\n' >"$T/dec.csv"
check "0.125 (no thousands reading) imports" 2 "$("$RENJA" import $P "$T/dec.csv")"
check "0.125 is 0,125" 0.125 "$("$RENJA" --format json show $P 2.17.01 | json "j['items'][0]['indikator'][0]['target']")"
"$RENJA" set $P 2.17.01 'indikator.1.target=66,20' >/dev/null

# Excel's CSV: byte order mark, CRLF, capitalised headers, trailing empty
# columns and rows, money with zero sen.
printf '\xef\xbb\xbfKode,Nama,Bidang,Pagu,,\r\n2.17.01.101.01,Sub,Sekretariat,"1.234.567,00",,\r\n,,,,,\r\n' >"$T/excel.csv"
expect_exit "an Excel CSV imports" 0 "$RENJA" import $P "$T/excel.csv"
check "Excel money 1.234.567,00 is 1234567" 1234567 \
  "$("$RENJA" --format json show $P 2.17.01.101.01 | json "j['items'][0]['pagu']")"
printf 'kode,pagu\n2.17.01.101.01,"1.234.567,50"\n' >"$T/sen.csv"
expect_exit "money with sen is refused" 7 "$RENJA" import $P "$T/sen.csv"
if grep -q "sen that are not zero" "$T/err"; then pass "money with sen: says why"
else fail "money with sen: [$(head -c 300 "$T/err")]"; fi

# One text for one value: the target as the source wrote it, everywhere.
rev=$("$RENJA" --format json log $P | json "j['revisions'][0]['rev']")
"$RENJA" --format table eval $P --tw 2 >"$T/eval.txt"
"$RENJA" --format table show $P >"$T/show.txt"
# Revision 2 has the target 0.125, head 66,20 again: diff lists the change.
"$RENJA" --format table diff $P 2 head >"$T/diff.txt"
for f in eval show diff; do
  check "$f (table) prints 66,20" 1 "$(grep -c '66,20' "$T/$f.txt")"
  check "$f (table) never 66,2 alone" 0 "$(grep -cE '66,2( |$)' "$T/$f.txt" || true)"
done
for f in eval show; do
  check "$f (table) prints 3,0" 1 "$(grep -c '3,0\b' "$T/$f.txt")"
done
check "diff (table) prints the old target as written (0.125)" 1 "$(grep -c '0\.125' "$T/diff.txt")"
# Machine formats: plain numbers in numeric columns, the text in *_text.
"$RENJA" --format json eval $P --tw 2 >"$T/eval.json"
check "eval json: target plain, text in target_text" "66.2|66,20" \
  "$(json "[str(r['target']) + '|' + r['target_text'] for r in j['rows'] if r['kode'] == '2.17.01'][0]" <"$T/eval.json")"
"$RENJA" --format csv eval $P --tw 2 >"$T/eval.csv"
check "eval csv: target column plain, target_text column the text" "66.2|66,20" \
  "$(/usr/bin/python3 -c "import csv,sys; r=[x for x in csv.DictReader(open(sys.argv[1])) if x['kode']=='2.17.01'][0]; print(r['target']+'|'+r['target_text'])" "$T/eval.csv")"
"$RENJA" --format csv show $P >"$T/show.csv"
check "show csv: target column plain, target_text column the text" "66.2|66,20" \
  "$(/usr/bin/python3 -c "import csv,sys; r=[x for x in csv.DictReader(open(sys.argv[1])) if x['kode']=='2.17.01'][0]; print(r['target']+'|'+r['target_text'])" "$T/show.csv")"
"$RENJA" --format csv diff $P 2 head >"$T/diff.csv"
check "diff csv: target_to column plain, target_to_text the text" "66.2|66,20" \
  "$(/usr/bin/python3 -c "import csv,sys; r=[x for x in csv.DictReader(open(sys.argv[1])) if x['kode']=='2.17.01'][0]; print(r['target_to']+'|'+r['target_to_text'])" "$T/diff.csv")"
"$RENJA" --format csv export $P >"$T/export.csv"
check "export csv: target plain, target_text the text" "66.2|66,20" \
  "$(/usr/bin/python3 -c "import csv,sys; r=[x for x in csv.DictReader(open(sys.argv[1])) if x['kode']=='2.17.01'][0]; print(r['target']+'|'+r['target_text'])" "$T/export.csv")"
# Realisasi: the text as reported in the eval table too.
"$RENJA" realisasi $P 2.17.01 --tw 2 '60,50' >/dev/null
check "eval (table) prints the realisasi as reported" 1 \
  "$("$RENJA" --format table eval $P --tw 2 | grep -c '60,50')"
check "eval json: realisasi plain, text in realisasi_text" "60.5|60,50" \
  "$("$RENJA" --format json eval $P --tw 2 | json "[str(r['realisasi']) + '|' + r['realisasi_text'] for r in j['rows'] if r['kode'] == '2.17.01'][0]")"

check "daemon still serving" SERVING "$("$RENJA" health)"
finish
