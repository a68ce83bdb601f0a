#!/usr/bin/env bash
# Money cannot be spent beyond the pagu unnoticed: validate warns about a
# realisasi anggaran above the sub kegiatan's pagu (serapan over 100%), and
# eval's table shows the serapan of every sub kegiatan that reported one.
source "$(dirname "$0")/lib.sh"

init_store "$T/data"
start_daemon "$T/data"
P=serapan/2024
"$RENJA" plan create $P >/dev/null
"$RENJA" set $P 2.17 nama=Urusan >/dev/null
"$RENJA" set $P 2.17.08 nama=Program pagu=333.608.632 >/dev/null
"$RENJA" set $P 2.17.08.1.01 nama=Kegiatan pagu=333.608.632 >/dev/null
"$RENJA" set $P 2.17.08.1.01.0001 nama="Pelatihan" pagu=100.000.000 indikator.1.nama=Peserta indikator.1.target=10 >/dev/null
"$RENJA" set $P 2.17.08.1.01.0002 nama="Literasi Hukum" pagu=233.608.632 indikator.1.nama=Pelaku indikator.1.target=150 >/dev/null
"$RENJA" realisasi $P 2.17.08.1.01.0001 --tw 2 --anggaran 128.420.000 >/dev/null
"$RENJA" realisasi $P 2.17.08.1.01.0002 --tw 2 --anggaran 94.250.000 >/dev/null

expect_exit "validate: a warning is no error" 0 "$RENJA" --format tsv validate $P
check "one serapan-over-pagu finding, on the item over its pagu" "2.17.08.1.01.0001" \
  "$(awk -F'\t' '$3 == "serapan-over-pagu" {print $2}' "$T/out" | tr '\n' ' ' | sed 's/ $//')"
check "it is a warning" "warning" "$(awk -F'\t' '$3 == "serapan-over-pagu" {print $1}' "$T/out")"
if grep "serapan-over-pagu" "$T/out" | grep -q "128.420.000.*100.000.000.*128,42%"; then
  pass "it names realisasi, pagu and serapan"
else fail "finding: $(grep serapan "$T/out")"; fi
check "json finding" "warning serapan-over-pagu" \
  "$("$RENJA" --format json validate $P | json '" ".join(f["severity"] + " " + f["rule"] for f in j["findings"] if f["kode"] == "2.17.08.1.01.0001")')"

"$RENJA" --format table eval $P --tw 2 >"$T/eval.txt"
if grep -q "Serapan" "$T/eval.txt"; then pass "the eval table has serapan"; else fail "eval table: $(cat "$T/eval.txt")"; fi
check "serapan of each sub kegiatan in the table" "128,42 40,35" \
  "$(grep -E '^ *2\.17\.08\.1\.01\.000[12] ' "$T/eval.txt" | grep -oE '[0-9]+,[0-9]+% *$' | tr -d ' %' | tr '\n' ' ' | sed 's/ $//')"
finish
