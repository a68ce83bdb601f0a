#!/usr/bin/env bash
# Load the seed's Renja Perubahan 2024 of Dinas Koperasi dan UKM Provinsi
# Sumatera Selatan into plan diskopukm-sumsel/2024: the budget lines and the
# program tree, one revision per distinct state in the seed's stage order,
# the seven stages, and the realisasi of triwulan II.
#
#   RENJA_SERVER=unix:/path/renjad.sock RENJA_TOKEN=<admin token> ./load.sh
#
# Uses only the CLI (${RENJA:-renja}). Stops at the first refusal with a
# message on stderr and a non-zero exit status. See README.md beside this
# file for what each file holds and the stage -> revision mapping.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RENJA=${RENJA:-renja}
PLAN=diskopukm-sumsel/2024

# die STATUS MESSAGE: stop with the CLI's exit status (1 for our own checks).
die() {
    local rc=$1
    shift
    echo "load.sh: $*" >&2
    exit "$rc"
}

if [[ -z ${RENJA_TOKEN:-} ]]; then
    die 2 "RENJA_TOKEN is not set (an admin token is needed)"
fi

# Run the CLI with machine output; its own message is already on stderr.
# Not named renja: with RENJA unset, "$RENJA" is "renja", and a function of
# that name would call itself. command runs the program on PATH (or the
# path given in RENJA), never a function.
cli() {
    command "$RENJA" --format tsv "$@"
}

# submit FILE MESSAGE: import one revision, print its number.
submit() {
    local file=$1 msg=$2 out rc=0
    out=$(cli import "$PLAN" "$here/$file" --message "$msg") || rc=$?
    ((rc == 0)) || die "$rc" "import of $file into $PLAN was refused (exit $rc)"
    [[ $out =~ ^[0-9]+$ ]] ||
        die 1 "import of $file printed '$out', expected a revision number"
    printf '%s\n' "$out"
}

# stage NAME REV ORDER TITLE BASIS [DATE]
stage() {
    local name=$1 rev=$2 order=$3 title=$4 basis=$5 date=${6:-}
    local args=(stage set "$PLAN" "$name" --rev "$rev" --order "$order"
        --title "$title" --basis "$basis")
    [[ -n $date ]] && args+=(--date "$date")
    local rc=0
    cli "${args[@]}" >/dev/null || rc=$?
    ((rc == 0)) || die "$rc" "stage set $name --rev $rev on $PLAN was refused (exit $rc)"
}

rc=0
cli plan create "$PLAN" \
    --nama "Renja Dinas Koperasi dan UKM Provinsi Sumatera Selatan 2024" >/dev/null || rc=$?
((rc == 0)) || die "$rc" "plan create $PLAN was refused (exit $rc)"

r1=$(submit 01-rancangan-apbd.json "Rancangan APBD 2024: budget lines (Tabel 3.2)")
stage rancangan-apbd "$r1" 1 "Rancangan APBD 2024" "Rancangan APBD 2024"

r2=$(submit 02-apbd.json "APBD 2024 (induk): program tree (Tabel 3.3 sebelum, targets of Tabel 2-1) and budget lines")
stage apbd "$r2" 2 "APBD 2024" "APBD 2024"

r3=$(submit 03-perkada.json "Perkada 1 Tahun 2024: budget lines (Tabel 3.2)")
stage perkada-1 "$r3" 3 "Perkada 1 Tahun 2024" "Perkada 1 Tahun 2024" 2024-02-05
# Perkada 8 carries the same figures as Perkada 1 in every row of Tabel 3.2.
stage perkada-8 "$r3" 4 "Perkada 8 Tahun 2024" "Perkada 8 Tahun 2024" 2024-06-06

r4=$(submit 04-perubahan.json "Rancangan Perubahan 2024: program tree (Tabel 3.3 sesudah) and budget lines")
stage rancangan-perubahan "$r4" 5 "Rancangan Perubahan 2024" "Rancangan Perubahan 2024"
# Penambahan Banggar adds nothing ("-" in every row of Tabel 3.2) and the
# APBD-P column equals Rancangan Perubahan in every row: same revision.
stage banggar "$r4" 6 "Penambahan Banggar 16-08-2024" "Penambahan Banggar 16-08-2024" 2024-08-16
stage apbd-p "$r4" 7 "Pagu Anggaran APBD-P 2024" "Pagu Anggaran APBD-P 2024"

# Realisasi does not change any stage's figures, so it comes last.
r5=$(submit 05-realisasi-tw2.json "Realisasi kinerja s.d. TW II 2024 (Tabel 2-1)")

echo "load.sh: loaded $PLAN: revisions $r1..$r5; stages rancangan-apbd=$r1 apbd=$r2 perkada-1=perkada-8=$r3 rancangan-perubahan=banggar=apbd-p=$r4" >&2
