#!/usr/bin/env bash
# Roles through the real CLI (an editor writes only its own bidang's items,
# a viewer nothing, a planner anything), realisasi reporting with `renja
# realisasi`, and `renja watch --from`.
source "$(dirname "$0")/lib.sh"

D="$T/data"
"$RENJAD" init --data-dir "$D" >"$T/admin" 2>/dev/null
start_daemon "$D"
RENJA_TOKEN=$(cat "$T/admin"); export RENJA_TOKEN
UMKM=$("$RENJAD" token add --data-dir "$D" --name umkm --role editor --bidang "Bidang Pemberdayaan Usaha Kecil" 2>/dev/null)
SEKRE=$("$RENJAD" token add --data-dir "$D" --name sekre --role editor --bidang Sekretariat 2>/dev/null)
PLANNER=$("$RENJAD" token add --data-dir "$D" --name perencana --role planner 2>/dev/null)
VIEWER=$("$RENJAD" token add --data-dir "$D" --name tapd --role viewer 2>/dev/null)
P=peran/2024
"$RENJA" --token "$PLANNER" plan create $P >/dev/null
"$RENJA" --token "$PLANNER" set $P 2.17 nama="Urusan" >/dev/null
"$RENJA" --token "$PLANNER" set $P 2.17.01 nama="Penunjang" bidang=Sekretariat >/dev/null
"$RENJA" --token "$PLANNER" set $P 2.17.08 nama="Pengembangan UMKM" bidang="Bidang Pemberdayaan Usaha Kecil" >/dev/null
"$RENJA" --token "$PLANNER" set $P 2.17.08.101 nama="Kegiatan UMKM" bidang="Bidang Pemberdayaan Usaha Kecil" \
  indikator.1.nama="Jumlah promosi" indikator.1.satuan=kali indikator.1.target=6 >/dev/null

expect_exit "editor writes its own bidang" 0 "$RENJA" --token "$UMKM" set $P 2.17.08.101.02 nama="Literasi Hukum" \
  bidang="Bidang Pemberdayaan Usaha Kecil" pagu=233.608.632 indikator.1.nama="Pelaku UMKM" indikator.1.satuan=orang indikator.1.target=150
expect_exit "editor cannot write another bidang's item" 5 "$RENJA" --token "$UMKM" set $P 2.17.01 lokasi=Sumsel
if grep -q "Sekretariat" "$T/err"; then pass "the refusal names the item's bidang"; else fail "refusal: $(cat "$T/err")"; fi
expect_exit "editor cannot move an item into another bidang" 5 "$RENJA" --token "$SEKRE" set $P 2.17.08.101.02 bidang=Sekretariat
expect_exit "editor cannot write budget lines" 5 "$RENJA" --token "$UMKM" set $P 5 nama="Belanja" --rekening
expect_exit "editor cannot set a stage" 5 "$RENJA" --token "$UMKM" stage set $P apbd --rev 1
expect_exit "viewer cannot write" 5 "$RENJA" --token "$VIEWER" set $P 2.17.08.101.02 pagu=1
expect_exit "viewer reads" 0 "$RENJA" --token "$VIEWER" show $P
expect_exit "planner writes any bidang" 0 "$RENJA" --token "$PLANNER" set $P 2.17.01 lokasi=Sumsel

# Realisasi, reported by the bidang that owns the item.
r=$("$RENJA" --token "$UMKM" realisasi $P 2.17.08.101.02 --tw 2 --indikator 1 60)
check "realisasi prints the revision" 1 "$([[ $r =~ ^[0-9]+$ ]] && echo 1 || echo 0)"
"$RENJA" --token "$UMKM" realisasi $P 2.17.08.101 --tw 2 --indikator 1 1 >/dev/null
"$RENJA" --token "$UMKM" realisasi $P 2.17.08.101.02 --tw 2 --anggaran 94.250.000 >/dev/null
expect_exit "realisasi of another bidang's item" 5 "$RENJA" --token "$UMKM" realisasi $P 2.17.01 --tw 2 --indikator 1 50
expect_exit "realisasi for a triwulan that does not exist" 2 "$RENJA" --token "$UMKM" realisasi $P 2.17.08.101.02 --tw 5 --indikator 1 1
expect_exit "realisasi of an indikator the item lacks" 7 "$RENJA" --token "$UMKM" realisasi $P 2.17.08.101.02 --tw 2 --indikator 3 1
"$RENJA" --format json eval $P --tw 2 >"$T/eval.json"
check "capaian 60/150" "40.0 Sangat Rendah" "$(json '" ".join("%s %s" % (r["capaian"], r["predikat"]) for r in j["rows"] if r["kode"] == "2.17.08.1.01.0002")' <"$T/eval.json")"
check "capaian 1/6 rounds to 16.67" "16.67" "$(json '[r["capaian"] for r in j["rows"] if r["kode"] == "2.17.08.1.01"][0]' <"$T/eval.json")"
check "the item with no realisasi is not reported" "None" "$(json '[r["realisasi"] for r in j["rows"] if r["kode"] == "2.17.08"][0] if [r for r in j["rows"] if r["kode"] == "2.17.08"] else "None"' <"$T/eval.json")"
check "serapan anggaran 94.250.000 of 233.608.632" "40.35" "$(json '[a["serapan"] for a in j["anggaran"] if a["kode"] == "2.17.08.1.01.0002"][0]' <"$T/eval.json")"

# watch --from replays history, then follows.
head=$("$RENJA" --format json log $P --limit 1 | json 'j["revisions"][0]["rev"]')
"$RENJA" watch $P --from 1 >"$T/watch.out" 2>"$T/watch.err" & wp=$!
for i in $(seq 1 50); do [ "$(wc -l <"$T/watch.out")" -ge "$head" ] && break; sleep 0.1; done
"$RENJA" --token "$PLANNER" set $P 2.17 lokasi=Sumsel >/dev/null
for i in $(seq 1 50); do [ "$(wc -l <"$T/watch.out")" -gt "$head" ] && break; sleep 0.1; done
kill -INT $wp 2>/dev/null; wc=0; wait $wp || wc=$?
check "watch --from 1 saw every revision once, in order, then the new one" "$(seq -s ' ' 1 $((head + 1)))" "$(cut -f1 "$T/watch.out" | tr '\n' ' ' | sed 's/ $//')"
check "watch ends with exit 0 on SIGINT" 0 "$wc"
finish
