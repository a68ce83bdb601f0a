#!/usr/bin/env bash
# Ownership on the seed's plan: a new child belongs to its parent's bidang,
# so an editor cannot add a sub kegiatan under another bidang's kegiatan; and
# permission is judged before conflicts (exit 5, not 3, for a foreign item
# that also changed after the editor's base).
source "$(dirname "$0")/lib.sh"

init_store "$T/data"
start_daemon "$T/data"
export RENJA
bash "$RENJA_SRC/examples/diskopukm-sumsel-2024/load.sh" >"$T/load.out" 2>"$T/load.err" \
  || { cat "$T/load.err" >&2; fail "load.sh"; finish; }
P=diskopukm-sumsel/2024
umask 077
UKM=$("$RENJA" token add ukm --role editor --bidang "Bidang Pemberdayaan Usaha Kecil" 2>/dev/null)
KOP=$("$RENJA" token add kop --role editor --bidang "Bidang Pemberdayaan Koperasi" 2>/dev/null)
PLN=$("$RENJA" token add perencana --role planner 2>/dev/null)
head() { "$RENJA" --format json log $P --limit 1 | json 'j["revisions"][0]["rev"]'; }
export_now() { "$RENJA" --format json export $P | json '{k: v for k, v in j.items() if k != "plan"}' | sha256sum | cut -c1-16; }
before=$(export_now); h0=$(head)

# A new child under another bidang's kegiatan, program, or (via a new
# kegiatan) program.
expect_exit "sub kegiatan under another bidang's kegiatan" 5 "$RENJA" --token "$UKM" set $P 2.17.06.1.01.0010 \
  nama="Sisipan" bidang="Bidang Pemberdayaan Usaha Kecil" pagu=1.000.000
grep -q "child of 2.17.06.1.01, which belongs to bidang 'Bidang Pemberdayaan Koperasi'" "$T/err" \
  && pass "the refusal names the parent and its bidang" || fail "refusal: $(cat "$T/err")"
expect_exit "the same with --base head" 5 "$RENJA" --token "$UKM" set $P 2.17.06.1.01.0010 \
  nama="Sisipan" bidang="Bidang Pemberdayaan Usaha Kecil" --base "$h0"
cat >"$T/two.json" <<'J'
{"items": [
  {"kode": "2.17.06.1.02", "nama": "Kegiatan sisipan", "bidang": "Bidang Pemberdayaan Usaha Kecil"},
  {"kode": "2.17.06.1.02.0001", "nama": "Sub sisipan", "bidang": "Bidang Pemberdayaan Usaha Kecil", "pagu": 5000000}
]}
J
expect_exit "a new kegiatan and its sub kegiatan under another bidang's program" 5 "$RENJA" --token "$UKM" import $P "$T/two.json"
check "nothing changed" "$before" "$(export_now)"
check "no revision made" "$h0" "$(head)"
expect_exit "a sub kegiatan under its own kegiatan" 0 "$RENJA" --token "$KOP" set $P 2.17.06.1.01.0010 \
  nama="Sisipan" bidang="Bidang Pemberdayaan Koperasi" pagu=1.000.000
expect_exit "a planner adds anywhere" 0 "$RENJA" --token "$PLN" set $P 2.17.08.1.01.0003 \
  nama="Baru" bidang="Bidang Pemberdayaan Usaha Kecil"

# Permission before conflicts: the foreign item changed after the base.
base=$(head)
"$RENJA" --token "$PLN" set $P 2.17.06.1.01.0002 lokasi="Palembang" >/dev/null
"$RENJA" --token "$PLN" set $P 2.17.08.1.01.0001 lokasi="Palembang" >/dev/null
"$RENJA" --token "$KOP" realisasi $P 2.17.06.1.01.0002 --tw 2 --indikator 1 5 >/dev/null
for i in 1 2 3 4 5; do
  expect_exit "foreign item changed after the base: permission, not conflict ($i)" 5 \
    "$RENJA" --token "$UKM" set $P 2.17.06.1.01.0002 lokasi=Lahat --base "$base"
done
expect_exit "taking a foreign item over, changed after the base" 5 "$RENJA" --token "$UKM" set $P 2.17.06.1.01.0002 \
  bidang="Bidang Pemberdayaan Usaha Kecil" --base "$base"
expect_exit "removing a foreign item, changed after the base" 5 "$RENJA" --token "$UKM" rm $P 2.17.06.1.01.0002 --base "$base"
expect_exit "realisasi of a foreign indikator, changed after the base" 5 "$RENJA" --token "$UKM" realisasi $P 2.17.06.1.01.0002 \
  --tw 2 --indikator 1 9 --base "$base"
expect_exit "own item changed after the base: conflict" 3 "$RENJA" --token "$UKM" set $P 2.17.08.1.01.0001 lokasi=Lahat --base "$base"
# The rest of the rules, without a base.
expect_exit "changing another bidang's item" 5 "$RENJA" --token "$UKM" set $P 2.17.06.1.01.0009 lokasi=Lahat
expect_exit "moving an own item into another bidang" 5 "$RENJA" --token "$UKM" set $P 2.17.08.1.01.0002 bidang="Bidang Pemberdayaan Koperasi"
expect_exit "realisasi of a foreign indikator" 5 "$RENJA" --token "$UKM" realisasi $P 2.17.06.1.01.0009 --tw 2 --indikator 1 3
expect_exit "realisasi of an own indikator" 0 "$RENJA" --token "$UKM" realisasi $P 2.17.08.1.01.0002 --tw 2 --indikator 1 3
expect_exit "a sub kegiatan under an own kegiatan" 0 "$RENJA" --token "$UKM" set $P 2.17.08.1.01.0004 \
  nama="Milik sendiri" bidang="Bidang Pemberdayaan Usaha Kecil"
finish
