#!/usr/bin/env bash
# The versioned store through the real CLI: plans, set/rm/show/log, stages,
# conflicts, atomicity, export/import round trip, watch, backup/restore.
source "$(dirname "$0")/lib.sh"

init_store "$T/data"
start_daemon "$T/data"
P=contoh/2024
"$RENJA" plan create $P --nama "Contoh" >/dev/null
expect_exit "plan create twice" 1 "$RENJA" plan create $P
expect_exit "bad plan id" 2 "$RENJA" plan create "Bad Plan"

r1=$("$RENJA" set $P 2.17 nama="Urusan Koperasi" --message "urusan")
check "first revision" 1 "$r1"
r2=$("$RENJA" set $P 2.17.01 nama="Program Penunjang" bidang=Sekretariat --message "program")
r3=$("$RENJA" set $P 2.17.01.101 nama="Perencanaan" bidang=Sekretariat -m "kegiatan")
check "-m is --message" "kegiatan" "$("$RENJA" --format json log $P --limit 1 | json 'j["revisions"][0]["message"]')"
r4=$("$RENJA" set $P 2.17.01.101.01 nama="Penyusunan Dokumen" bidang=Sekretariat pagu=188.500.000 \
     indikator.1.nama="Jumlah Dokumen" indikator.1.satuan=dokumen indikator.1.target=2)
check "revisions count up" "2 3 4" "$r2 $r3 $r4"
check "kode normalised, pagu parsed" "188500000" \
  "$("$RENJA" --format json show $P 2.17.01.1.01.0001 | json '[i["pagu"] for i in j["items"] if i["kode"]=="2.17.01.1.01.0001"][0]')"
expect_exit "missing parent refused" 7 "$RENJA" set $P 2.17.02.101.01 nama=X
expect_exit "bad kode refused" 2 "$RENJA" set $P 2.17.01.10.01 nama=X
expect_exit "bad number refused" 2 "$RENJA" set $P 2.17.01.101.01 pagu=1.5
expect_exit "set on a plan that does not exist" 4 "$RENJA" set tidak-ada/2024 2.17 nama=X
expect_exit "unknown field" 2 "$RENJA" set $P 2.17.01.101.01 warna=merah

# Stages and as-of reads.
"$RENJA" stage set $P apbd --rev 4 --title "APBD 2024" --basis "Perda 2023" --date 2024-01-02 >/dev/null
r5=$("$RENJA" set $P 2.17.01.101.01 pagu=150.000.000 --message "pergeseran")
check "show at stage keeps the old pagu" "188500000" \
  "$("$RENJA" --format json show $P 2.17.01.101.01 --at apbd | json 'j["items"][0]["pagu"]')"
check "show at head has the new pagu" "150000000" \
  "$("$RENJA" --format json show $P 2.17.01.101.01 --at head | json 'j["items"][0]["pagu"]')"
check "show at a revision number" "188500000" \
  "$("$RENJA" --format json show $P 2.17.01.101.01 --at 4 | json 'j["items"][0]["pagu"]')"
check "parent roll-up" "150000000" \
  "$("$RENJA" --format json show $P 2.17.01 | json '[i["pagu_rollup"] for i in j["items"] if i["kode"]=="2.17.01"][0]')"
expect_exit "a stage never moves" 1 "$RENJA" stage set $P apbd --rev 5
"$RENJA" plan create kosong/2024 >/dev/null
expect_exit "no stage on a plan with no revision" 1 "$RENJA" stage set kosong/2024 apbd --rev head
check "the refusal says why" 1 "$(grep -c 'has no revision yet; import the plan first' "$T/err")"
check "the stage was not set" 0 "$("$RENJA" --format json stage list kosong/2024 | json 'len(j["stages"])')"
"$RENJA" stage set $P perkada-1 --rev 4 --title "Perkada 1" >/dev/null
check "two stages share a revision" "apbd:4 perkada-1:4" \
  "$("$RENJA" --format json stage list $P | json '" ".join("%s:%d" % (s["name"], s["rev"]) for s in j["stages"])')"
expect_exit "unknown stage" 4 "$RENJA" show $P --at nosuch
expect_exit "revision beyond head" 4 "$RENJA" show $P --at 999

# History of one item.
check "log of an item" "5 4" "$("$RENJA" --format json log $P 2.17.01.1.01.0001 | json '" ".join(str(r["rev"]) for r in j["revisions"])')"
check "an item's history: who changed the pagu, from what to what" "5 admin pagu: 188500000 -> 150000000" \
  "$("$RENJA" log $P 2.17.01.1.01.0001 --limit 1 | cut -f1,3,7 | tr "\t" " ")"
check "log of the plan counts revisions" 5 "$("$RENJA" log $P | wc -l)"
check "log --limit" 2 "$("$RENJA" log $P --limit 2 | wc -l)"

# Conflicts: two clients from the same base on the same item.
"$RENJA" set $P 2.17.01.101.01 pagu=1 --base 5 >"$T/c1" 2>"$T/c1.err" & p1=$!
"$RENJA" set $P 2.17.01.101.01 pagu=2 --base 5 >"$T/c2" 2>"$T/c2.err" & p2=$!
e1=0; e2=0; wait $p1 || e1=$?; wait $p2 || e2=$?
check "same item from the same base: one wins, one conflicts" "0 3" "$(printf '%s\n' $e1 $e2 | sort | tr '\n' ' ' | sed 's/ $//')"
if grep -q "2.17.01.1.01.0001" "$T/c1.err" "$T/c2.err"; then pass "conflict names the item"; else fail "conflict message: $(cat "$T/c1.err" "$T/c2.err")"; fi
head=$("$RENJA" --format json log $P --limit 1 | json 'j["revisions"][0]["rev"]')
"$RENJA" set $P 2.17.01.101 lokasi=Sumsel --base $head >/dev/null & p1=$!
"$RENJA" set $P 2.17.01 lokasi=Sumsel --base $head >/dev/null & p2=$!
e1=0; e2=0; wait $p1 || e1=$?; wait $p2 || e2=$?
check "different items from the same base: both win" "0 0" "$e1 $e2"

# Atomicity: an import with one bad change commits nothing.
before=$("$RENJA" log $P | wc -l)
cat >"$T/bad.json" <<'JSON'
{"items": [{"kode": "2.17.01.101.02", "nama": "Baik", "bidang": "Sekretariat", "pagu": 10},
           {"kode": "2.17.09.101.01", "nama": "Tanpa induk", "pagu": 5}]}
JSON
expect_exit "import with a missing parent" 7 "$RENJA" import $P "$T/bad.json"
check "nothing committed" "$before" "$("$RENJA" log $P | wc -l)"
expect_exit "the good item is not there" 4 "$RENJA" show $P 2.17.01.101.02

# Lock.
"$RENJA" plan lock $P >/dev/null
expect_exit "locked plan refuses changes" 1 "$RENJA" set $P 2.17 nama=X
if grep -q "locked" "$T/err"; then pass "lock message says locked"; else fail "lock message: $(cat "$T/err")"; fi
"$RENJA" plan unlock $P >/dev/null
expect_exit "unlocked plan accepts changes" 0 "$RENJA" set $P 2.17 nama="Urusan Koperasi dan UKM"

# Removal.
expect_exit "rm of a parent needs --recursive" 7 "$RENJA" rm $P 2.17.01.101
expect_exit "rm --recursive" 0 "$RENJA" rm $P 2.17.01.101 --recursive
expect_exit "removed item gone at head" 4 "$RENJA" show $P 2.17.01.101.01
check "removed item still there at the stage" "188500000" \
  "$("$RENJA" --format json show $P 2.17.01.101.01 --at apbd | json 'j["items"][0]["pagu"]')"

# Export -> import into a new plan -> export: same content.
"$RENJA" export $P --at apbd >"$T/e1.json"
"$RENJA" plan create contoh-salin/2024 >/dev/null
"$RENJA" import contoh-salin/2024 "$T/e1.json" --message "salinan" >/dev/null
"$RENJA" export contoh-salin/2024 >"$T/e2.json"
strip='{k: j[k] for k in ("items", "lines", "realisasi")}'
check "export/import round trip" "$(json "$strip" <"$T/e1.json")" "$(json "$strip" <"$T/e2.json")"

# Watch: a line per new revision.
"$RENJA" watch $P >"$T/watch.out" 2>"$T/watch.err" & wp=$!
sleep 0.5
"$RENJA" set $P 2.17 lokasi=Palembang --message "watched" >/dev/null
for i in $(seq 1 50); do [ -s "$T/watch.out" ] && break; sleep 0.1; done
kill -INT $wp 2>/dev/null; wait $wp 2>/dev/null || true
check "watch saw the revision" 1 "$(wc -l <"$T/watch.out")"

# Backup taken during a write load, restored into a new data dir: its export
# equals the source's export as of the backup's head.
"$RENJA" set $P 2.17.02 nama="Program Beban" >/dev/null
( i=0; while [ ! -e "$T/stop" ]; do i=$((i + 1)); "$RENJA" set $P 2.17.02 pagu=$i >/dev/null || exit 1; done ) &
loader=$!
sleep 0.5
"$RENJAD" backup --data-dir "$T/data" "$T/backup.mdb" 2>/dev/null
sleep 0.3
touch "$T/stop"; wait $loader || fail "the write load failed"
"$RENJAD" restore --data-dir "$T/restored" "$T/backup.mdb" 2>/dev/null
cp "$T/data/admin.token" "$T/restored/"
src_head=$("$RENJA" --format json log $P --limit 1 | json 'j["revisions"][0]["rev"]')
stop_daemon || fail "SIGTERM"
start_daemon "$T/restored"
bk_head=$("$RENJA" --format json log $P --limit 1 | json 'j["revisions"][0]["rev"]')
check "the backup was taken while revisions were being written" 1 "$([ "$bk_head" -lt "$src_head" ] && echo 1 || echo 0)"
"$RENJA" export $P >"$T/dst.json"
stop_daemon || fail "SIGTERM"
start_daemon "$T/data"
"$RENJA" export $P --at "$bk_head" >"$T/src.json"
check "restored export equals the source at the backup's head" "$(json "$strip" <"$T/src.json")" "$(json "$strip" <"$T/dst.json")"
finish
