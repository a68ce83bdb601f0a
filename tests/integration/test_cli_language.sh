#!/usr/bin/env bash
# One language for people: the human table speaks Indonesian (headers,
# validate and eval messages, log changes, yes/no) and shows times in the
# zone of $TZ, WIB when it is unset; csv, tsv and json keep their English
# keys and values and write times in UTC, whatever TZ is.
source "$(dirname "$0")/lib.sh"

init_store "$T/data"
start_daemon "$T/data"
unset TZ RENJA_FORMAT
P=contoh/2024
"$RENJA" plan create $P --nama "Contoh" >/dev/null
"$RENJA" set $P 2.17 nama="Urusan Koperasi" >/dev/null
"$RENJA" set $P 2.17.01 nama="Program Penunjang" bidang=Sekretariat pagu=200.000.000 >/dev/null
"$RENJA" set $P 2.17.01.1.01 nama="Perencanaan" bidang=Sekretariat >/dev/null
"$RENJA" set $P 2.17.01.1.01.0001 nama="Penyusunan Dokumen" bidang=Sekretariat pagu=188.500.000 \
  indikator.1.nama="Jumlah Dokumen" indikator.1.satuan=dokumen indikator.1.target=2 >/dev/null
table() { "$RENJA" --format table "$@"; }

# --- headers --------------------------------------------------------------------------
check "plan list headers in Indonesian" "Renja Nama Revisi Terakhir Dikunci Dikunci Oleh Dibuat" \
  "$(table plan list | head -1 | tr -s ' ')"
check "yes/no in Indonesian" "tidak" "$(table plan list | sed -n 3p | grep -o 'tidak')"
check "tsv keeps true/false" "false" "$("$RENJA" plan list | cut -f4)"
check "json keeps its keys" '["created", "head", "locked", "locked_by", "nama", "plan"]' \
  "$("$RENJA" --format json plan list | json 'sorted(j["plans"][0].keys())')"
check "info labels in Indonesian" "1" "$(table info | grep -c '^versi ')"
check "info keys in tsv" "version" "$("$RENJA" info | head -1 | cut -f1)"
for cmd in "plan list" "stage list $P" "log $P" "show $P" "validate $P" "eval $P --tw 2" \
           "diff $P 1 head" "compare $P 1 head" "info"; do
  check "no English header in: $cmd" "" \
    "$(table $cmd 2>/dev/null | head -2 | grep -woE 'Plan|Head|Locked|Created|Level|Severity|Rule|Message|Time|Author|Key|Value' || true)"
done

# --- validate and eval --------------------------------------------------------------------
table validate $P >"$T/v.txt" || true
check "validate severity in Indonesian" "1" "$(grep -c '^kesalahan ' "$T/v.txt")"
check "validate message in Indonesian" "1" \
  "$(grep -c 'pagu 200.000.000 berbeda dari jumlah rinciannya 188.500.000 sebesar 11.500.000' "$T/v.txt")"
check "no English in the validate table" "" "$(grep -oE 'declared|differs|children' "$T/v.txt" || true)"
check "validate json keeps the English message" \
  "declared pagu 200.000.000 differs from the sum of its children 188.500.000 by 11.500.000" \
  "$("$RENJA" --format json validate $P | json 'j["findings"][0]["message"]')"
check "validate json has no new key" '["kode", "message", "rule", "severity"]' \
  "$("$RENJA" --format json validate $P | json 'sorted(j["findings"][0].keys())')"
check "validate tsv as it was" "1" \
  "$("$RENJA" validate $P | head -1 | grep -c '^error	2.17.01	rollup-mismatch	declared pagu 200.000.000 differs')"
table eval $P --tw 2 >"$T/e.txt"
check "eval note in Indonesian" "1" "$(grep -c '  belum dilaporkan$' "$T/e.txt")"
check "no English note in the eval table" "" "$(grep -o 'not reported' "$T/e.txt" || true)"
check "eval json keeps its note" "not reported" "$("$RENJA" --format json eval $P --tw 2 | json 'j["rows"][0]["note"]')"

# --- log --------------------------------------------------------------------------------
check "log changes in Indonesian" "1" "$(table log $P 2.17.01.1.01.0001 | grep -c 'ditambahkan, pagu 188.500.000')"
check "log changes in tsv as they were" "added, pagu 188500000" \
  "$("$RENJA" log $P 2.17.01.1.01.0001 | cut -f7)"

# --- times --------------------------------------------------------------------------------
utc=$("$RENJA" log $P --limit 1 | cut -f2)
check "tsv time is UTC ISO 8601" "1" "$(echo "$utc" | grep -cE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$')"
wib=$(date -u -d "$utc 7 hours" +"%Y-%m-%d %H:%M:%S WIB")
check "table time in WIB when TZ is unset" "1" "$(table log $P --limit 1 | grep -cF "$wib")"
check "table time in the zone of TZ" "1" \
  "$(TZ=UTC table log $P --limit 1 | grep -cF "$(date -u -d "$utc" +"%Y-%m-%d %H:%M:%S UTC")")"
if [ -e /usr/share/zoneinfo/Asia/Makassar ]; then
  check "table time in WITA" "1" \
    "$(TZ=Asia/Makassar table log $P --limit 1 | grep -cF "$(date -u -d "$utc 8 hours" +"%Y-%m-%d %H:%M:%S WITA")")"
fi
for f in tsv csv json; do
  check "$f does not depend on TZ" "" \
    "$(diff <("$RENJA" --format $f log $P) <(TZ=Asia/Makassar "$RENJA" --format $f log $P))"
done
check "json plan list time is UTC" "1" \
  "$("$RENJA" --format json plan list | json 'j["plans"][0]["created"]' | grep -c 'Z$')"

finish
