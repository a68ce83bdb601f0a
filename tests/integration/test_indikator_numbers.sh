#!/usr/bin/env bash
# Indikator are numbered without holes: set refuses indikator.N beyond the
# next number (naming it) instead of making empty indikator that eval lists
# as not reported; rm --indikator N removes one with its realisasi, moving
# the later ones up with theirs, conflict-checked like any removal.
source "$(dirname "$0")/lib.sh"

D="$T/data"
init_store "$D"
start_daemon "$D"
SEKRE=$("$RENJAD" token add --data-dir "$D" --name sekre --role editor --bidang Sekretariat 2>/dev/null)
P=nomor/2024
K=2.17.01.1.01.0001
"$RENJA" plan create $P >/dev/null
"$RENJA" set $P 2.17 nama=Urusan >/dev/null
"$RENJA" set $P 2.17.01 nama=Program bidang=Umum >/dev/null
"$RENJA" set $P 2.17.01.1.01 nama=Kegiatan bidang=Umum >/dev/null
"$RENJA" set $P $K nama="Sub Kegiatan" bidang=Umum pagu=100.000.000 \
  indikator.1.nama=Dokumen indikator.1.target=10 indikator.2.nama=Laporan indikator.2.target=20 >/dev/null
names() { "$RENJA" --format json show $P $K | json '",".join(i["nama"] for i in [x for x in j["items"] if x["kode"]=="'$K'"][0]["indikator"])'; }
reals() { "$RENJA" --format json show $P $K --realisasi | json '" ".join("tw%d/%d=%s" % (r["tw"], r["indikator"], r["text"]) for r in sorted(j["realisasi"], key=lambda r: (r["tw"], r["indikator"])) if r["indikator"] > 0)'; }
head_rev() { "$RENJA" --format json log $P --limit 1 | json 'j["revisions"][0]["rev"]'; }

# A hole is refused, naming the next number; nothing is written.
h=$(head_rev)
expect_exit "set indikator.5 on an item with two" 2 "$RENJA" set $P $K indikator.5.nama=Kelima
if grep -q "the next is indikator.3" "$T/err"; then pass "it names the next number"; else fail "stderr: $(cat "$T/err")"; fi
check "no revision" "$h" "$(head_rev)"
check "still two indikator" "Dokumen,Laporan" "$(names)"
expect_exit "indikator.2 of a new item" 2 "$RENJA" set $P 2.17.01.1.01.0002 nama=Baru indikator.2.nama=X
expect_exit "the next number is taken" 0 "$RENJA" set $P $K indikator.3.nama=Peserta indikator.3.target=30
expect_exit "and one after it in the same set" 0 "$RENJA" set $P $K indikator.4.nama=Modul indikator.4.target=4 indikator.5.nama=Video indikator.5.target=5
check "five indikator" "Dokumen,Laporan,Peserta,Modul,Video" "$(names)"

# Realisasi of several indikator, then indikator 2 goes.
"$RENJA" realisasi $P $K --tw 1 --indikator 2 5 >/dev/null
"$RENJA" realisasi $P $K --tw 2 --indikator 1 8 >/dev/null
"$RENJA" realisasi $P $K --tw 2 --indikator 2 15 >/dev/null
"$RENJA" realisasi $P $K --tw 2 --indikator 3 25 >/dev/null
"$RENJA" realisasi $P $K --tw 2 --indikator 5 3 >/dev/null
expect_exit "rm --indikator 2" 0 "$RENJA" rm $P $K --indikator 2 --message "Laporan dihapus"
check "the others move up" "Dokumen,Peserta,Modul,Video" "$(names)"
check "their realisasi move along; indikator 2's is gone" "tw2/1=8 tw2/2=25 tw2/4=3" "$(reals)"
check "eval lists the four" "4" \
  "$("$RENJA" --format json eval $P --tw 2 | json 'len([r for r in j["rows"] if r["kode"]=="'$K'"])')"
expect_exit "rm --indikator beyond the last" 4 "$RENJA" rm $P $K --indikator 5
expect_exit "rm --indikator with --recursive" 2 "$RENJA" rm $P $K --indikator 1 --recursive
expect_exit "an editor of another bidang may not" 5 "$RENJA" --token "$SEKRE" rm $P $K --indikator 1

# Based on an older head, a realisasi reported since is a conflict.
h=$(head_rev)
"$RENJA" realisasi $P $K --tw 3 --indikator 4 4 >/dev/null
expect_exit "rm --indikator 3 --base before a new realisasi of 4" 3 "$RENJA" rm $P $K --indikator 3 --base "$h"
check "nothing removed" "Dokumen,Peserta,Modul,Video" "$(names)"
expect_exit "the last one goes with its realisasi" 0 "$RENJA" rm $P $K --indikator 4
check "three left" "Dokumen,Peserta,Modul" "$(names)"
check "indikator 4's realisasi went with it" "tw2/1=8 tw2/2=25" "$(reals)"
finish
