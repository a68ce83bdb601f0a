#!/usr/bin/env bash
# Partial imports never wipe fields (real renjad, real renja): columns (CSV)
# or keys (JSON) a file does not have keep those fields as they are; a
# present but empty cell clears its field; --replace makes the plan equal to
# the file; `set` changes only what it assigns. Concurrent partial imports of
# different fields of one item all land: the store merges them inside its
# write, so none is silently overwritten.
source "$(dirname "$0")/lib.sh"

init_store "$T/data"
start_daemon "$T/data"
P=partial/2024
"$RENJA" plan create $P >/dev/null
cat >"$T/base.csv" <<'CSV'
tipe,kode,nama,bidang,lokasi,sumber_dana,pagu,indikator,satuan,target,tren
item,2.17,Urusan Koperasi,Sekretariat,,,,,,,
item,2.17.01,Program Penunjang,Sekretariat,Sumsel,PAD,,Persentase penunjang,%,100,positif
item,2.17.01.101,Perencanaan,Sekretariat,Sumsel,PAD,,Persentase dokumen,%,"66,20",
item,2.17.01.101.01,Penyusunan Dokumen,Sekretariat,Palembang,APBN,188.500.000,Jumlah Dokumen,dokumen,2,
item,2.17.01.101.01,,,,,,Jumlah Laporan,laporan,12 Bulan 3 dok,negatif
rekening,5,Belanja Daerah,,,,,,,,
rekening,5.1,Belanja Operasi,,,,8.204.055.000,,,,
CSV
check "the whole plan imports" 1 "$("$RENJA" import $P "$T/base.csv")"
K=2.17.01.1.01.0001
# item KODE EXPR: i EXPR of item KODE at head (i is the item).
item() {
  "$RENJA" --format json show $P "$1" |
    json "(lambda i: i$2)([x for x in j['items'] if x['kode'] == '$1'][0])"
}
before_ind=$(item $K "['indikator']")

# A CSV with only kode,nama,bidang,pagu keeps indikator, lokasi, sumber dana.
printf 'kode,nama,bidang,pagu\n%s,Penyusunan Dokumen Baru,Sekretariat,200.000.000\n' $K >"$T/partial.csv"
check "a partial CSV imports" 2 "$("$RENJA" import $P "$T/partial.csv")"
check "partial CSV: nama set" "Penyusunan Dokumen Baru" "$(item $K "['nama']")"
check "partial CSV: pagu set" 200000000 "$(item $K "['pagu']")"
check "partial CSV: lokasi kept" Palembang "$(item $K "['lokasi']")"
check "partial CSV: sumber dana kept" APBN "$(item $K "['sumber_dana']")"
check "partial CSV: every indikator kept" "$before_ind" "$(item $K "['indikator']")"

# A present but empty cell clears its field; the rest stays.
printf 'kode,lokasi\n%s,\n' $K >"$T/clear.csv"
check "an empty cell imports" 3 "$("$RENJA" import $P "$T/clear.csv")"
check "empty cell: lokasi cleared" "" "$(item $K "['lokasi']")"
check "empty cell: sumber dana kept" APBN "$(item $K "['sumber_dana']")"
check "empty cell: nama kept" "Penyusunan Dokumen Baru" "$(item $K "['nama']")"
check "empty cell: indikator kept" "$before_ind" "$(item $K "['indikator']")"

# Only the satuan column of the indikator: names, targets and tren stay.
printf 'kode,satuan\n%s,dok\n%s,lap\n' $K $K >"$T/satuan.csv"
check "an indikator column alone imports" 4 "$("$RENJA" import $P "$T/satuan.csv")"
# ind KODE FIELD: FIELD of each indikator of item KODE, as a JSON list.
ind() {
  "$RENJA" --format json show $P "$1" |
    json "[k['$2'] for k in [i for i in j['items'] if i['kode'] == '$1'][0]['indikator']]"
}
check "satuan set" '["dok", "lap"]' "$(ind $K satuan)"
check "satuan only: names kept" '["Jumlah Dokumen", "Jumlah Laporan"]' "$(ind $K nama)"
check "satuan only: targets kept" '["2", "12 Bulan 3 dok"]' "$(ind $K target_text)"
check "satuan only: tren kept" '["positif", "negatif"]' "$(ind $K tren)"

# JSON: keys the item does not have keep their fields; null clears.
printf '{"items": [{"kode": "%s", "pagu": 250000000, "sumber_dana": null}]}\n' $K >"$T/partial.json"
check "a partial JSON item imports" 5 "$("$RENJA" import $P "$T/partial.json")"
check "partial JSON: pagu set" 250000000 "$(item $K "['pagu']")"
check "partial JSON: null clears sumber dana" "" "$(item $K "['sumber_dana']")"
check "partial JSON: nama kept" "Penyusunan Dokumen Baru" "$(item $K "['nama']")"
check "partial JSON: indikator kept" 2 "$(item $K "['indikator'].__len__()")"
printf '{"lines": [{"kode": "5.1", "nama": "Belanja Operasi Baru"}]}\n' >"$T/line.json"
check "a partial budget line imports" 6 "$("$RENJA" import $P "$T/line.json")"
check "partial line: pagu kept" 8204055000 \
  "$("$RENJA" --format json show $P --lines | json "[l['pagu'] for l in j['lines'] if l['kode'] == '5.1'][0]")"

# set changes only what it assigns, and an empty value clears.
check "set pagu" 7 "$("$RENJA" set $P $K pagu=260.000.000 lokasi=Sumsel)"
check "set: indikator kept" 2 "$(item $K "['indikator'].__len__()")"
check "set: lokasi set" Sumsel "$(item $K "['lokasi']")"
check "set of an empty value clears" 8 "$("$RENJA" set $P $K lokasi=)"
check "set: lokasi cleared" "" "$(item $K "['lokasi']")"
check "set: nama kept" "Penyusunan Dokumen Baru" "$(item $K "['nama']")"

# Several bidang at once: partial imports of different fields of the same
# item, without a base, run concurrently; every one of them lands.
for round in 1 2 3 4 5; do
  printf 'kode,nama\n2.17.01,Program Penunjang %s\n' $round >"$T/n$round.csv"
  printf 'kode,lokasi\n2.17.01,Lokasi %s\n' $round >"$T/l$round.csv"
  printf 'kode,pagu\n2.17.01,%s000\n' $round >"$T/p$round.csv"
  printf 'kode,indikator\n2.17.01,Indikator %s\n' $round >"$T/i$round.csv"
  pids=()
  for f in n l p i; do "$RENJA" import $P "$T/$f$round.csv" >/dev/null 2>"$T/race.err" & pids+=($!); done
  rc=0
  for p in "${pids[@]}"; do wait "$p" || rc=$?; done
  check "round $round: the four concurrent imports succeed" 0 "$rc"
  check "round $round: every field of every import landed" \
    "Program Penunjang $round|Lokasi $round|${round}000|Indikator $round|100" \
    "$(item 2.17.01 "['nama'] + '|' + i['lokasi'] + '|' + str(i['pagu']) + '|' + i['indikator'][0]['nama'] + '|' + i['indikator'][0]['target_text']")"
done

# With a base, a change after it is a conflict (exit 3), never overwritten.
base=$("$RENJA" --format json log $P | json "j['revisions'][0]['rev']")
printf 'kode,nama\n2.17.01,Perubahan Lain\n' >"$T/other.csv"
"$RENJA" import $P "$T/other.csv" >/dev/null
printf 'kode,lokasi\n2.17.01,Lokasi Basi\n' >"$T/stale.csv"
expect_exit "a partial import on a stale base is a conflict" 3 "$RENJA" import $P "$T/stale.csv" --base "$base"
check "the conflict kept the other change" "Perubahan Lain|Lokasi 5" "$(item 2.17.01 "['nama'] + '|' + i['lokasi']")"

# --replace: the file is the whole plan (items written whole, the rest removed).
printf 'kode,nama,bidang,pagu\n2.17,Urusan Koperasi,Sekretariat,\n2.17.01,Program,Sekretariat,\n' >"$T/replace.csv"
expect_exit "import --replace of a partial file" 0 "$RENJA" import $P "$T/replace.csv" --replace
check "--replace: the items not in the file are gone" "2.17 2.17.01" \
  "$("$RENJA" --format json show $P | json "' '.join(i['kode'] for i in j['items'])")"
check "--replace: the item is the file's, with no indikator" 0 "$(item 2.17.01 "['indikator'].__len__()")"
check "--replace: lokasi of the file (none)" "" "$(item 2.17.01 "['lokasi']")"

check "daemon still serving" SERVING "$("$RENJA" health)"
finish
