#!/usr/bin/env bash
# Six bidang at once: one process per bidang of the seed plus a planner, each
# submitting hundreds of revisions through the real CLI with --base, on its
# own items and a few shared with the planner (and, now and then, another
# bidang's item). After: every acknowledged revision is in the log, by its
# author; replaying the acknowledged changes in log order on a fresh plan
# gives the same export; every refused submit exited 3 or 5 and changed
# nothing. RENJA_SIX_N sets the submits per process (default 200).
source "$(dirname "$0")/lib.sh"

N=${RENJA_SIX_N:-200}
init_store "$T/data"
start_daemon "$T/data"
export RENJA
bash "$RENJA_SRC/examples/diskopukm-sumsel-2024/load.sh" >"$T/load.out" 2>"$T/load.err" \
  || { cat "$T/load.err" >&2; fail "load.sh"; finish; }
P=diskopukm-sumsel/2024
umask 077
"$RENJA" --format json show $P >"$T/show.json"
BIDANG=("Sekretariat" "Bidang Kelembagaan dan Perizinan" "Bidang Pengawasan dan Pemeriksaan"
        "UPTD Balai Pelatihan KUMKM" "Bidang Pemberdayaan Koperasi" "Bidang Pemberdayaan Usaha Kecil")
for b in "${!BIDANG[@]}"; do
  "$RENJA" token add "bidang$b" --role editor --bidang "${BIDANG[$b]}" >"$T/tok$b" 2>/dev/null
  # Its own items (program, kegiatan, sub kegiatan), at most 8; the first
  # one (its program, or the urusan for Sekretariat) is shared with the planner.
  json "\"\\n\".join([i['kode'] for i in j['items'] if i.get('bidang') == '${BIDANG[$b]}' and i['level'] != 'urusan'][:8])" \
    <"$T/show.json" >"$T/own$b"
done
"$RENJA" token add perencana --role planner >"$T/tokp" 2>/dev/null
for b in "${!BIDANG[@]}"; do head -1 "$T/own$b"; done >"$T/shared"
h0=$("$RENJA" --format json log $P --limit 1 | json 'j["revisions"][0]["rev"]')
"$RENJA" --format json export $P >"$T/start.json"

# worker ID TOKENFILE OWNFILE FOREIGNFILE: N submits; one line per attempt:
# "exit rev kode FIELD=VALUE..." (rev "-" when refused).
worker() {
  local id=$1 tok=$2 own=$3 foreign=$4 i base rev rc kode lok
  mapfile -t items <"$own"
  mapfile -t others <"$foreign"
  base=$h0
  for ((i = 1; i <= N; i++)); do
    if ((i % 25 == 0)) && [ -n "${others[0]:-}" ]; then
      kode=${others[$((i / 25 % ${#others[@]}))]}
    else
      kode=${items[$((i % ${#items[@]}))]}
    fi
    lok="lokasi=$id-$i"
    # A sub kegiatan gets a new pagu too (its parents' roll-ups change).
    [[ $kode =~ ^[0-9.]+\.[0-9]{4}$ ]] && lok="$lok pagu=$((i * 1000))"
    rc=0
    # shellcheck disable=SC2086
    rev=$("$RENJA" --token-file "$tok" set $P "$kode" $lok --base "$base" 2>>"$T/err.$id") || rc=$?
    if [ $rc -eq 0 ]; then base=$rev; echo "$rc $rev $kode $lok"; else echo "$rc - $kode $lok"; fi
    # Now and then start again from the head, as a person re-reading would.
    if ((i % 10 == 0)) || [ $rc -eq 3 ]; then
      base=$("$RENJA" --token-file "$tok" --format json log $P --limit 1 | json 'j["revisions"][0]["rev"]')
    fi
  done >"$T/w.$id"
}

start=$(date +%s)
pids=()
for b in "${!BIDANG[@]}"; do
  # foreign: the first own item of the next bidang
  head -1 "$T/own$(((b + 1) % ${#BIDANG[@]}))" >"$T/foreign$b"
  worker "b$b" "$T/tok$b" "$T/own$b" "$T/foreign$b" & pids+=($!)
done
: >"$T/none"
worker planner "$T/tokp" "$T/shared" "$T/none" & pids+=($!)
for p in "${pids[@]}"; do wait "$p"; done
elapsed=$(( $(date +%s) - start ))
echo "7 processes x $N submits in ${elapsed} s"

cat "$T"/w.* >"$T/all"
acked=$(awk '$1 == 0' "$T/all" | wc -l)
refused=$(awk '$1 != 0' "$T/all" | wc -l)
echo "acknowledged $acked, refused $refused (conflict $(awk '$1 == 3' "$T/all" | wc -l), permission $(awk '$1 == 5' "$T/all" | wc -l))"
check "every attempt recorded" $((7 * N)) "$(wc -l <"$T/all")"
check "every refusal exited 3 or 5" 0 "$(awk '$1 != 0 && $1 != 3 && $1 != 5' "$T/all" | wc -l)"
check "every foreign item was refused with 5" 0 "$(for b in "${!BIDANG[@]}"; do k=$(cat "$T/foreign$b"); awk -v k="$k" '$3 == k && $1 != 5' "$T/w.b$b"; done | wc -l)"
check "some shared-item submits were conflicts" 1 "$(awk '$1 == 3' "$T/all" | wc -l | awk '{print ($1 > 0)}')"

"$RENJA" --format json log $P >"$T/log.json"
/usr/bin/python3 - "$T" "$h0" <<'PY' >"$T/logcheck"
import json, sys, glob, os
T, h0 = sys.argv[1], int(sys.argv[2])
log = {r["rev"]: r for r in json.load(open(os.path.join(T, "log.json")))["revisions"]}
acked = {}
bad = []
for f in glob.glob(os.path.join(T, "w.*")):
    who = os.path.basename(f)[2:]
    name = "perencana" if who == "planner" else "bidang" + who[1:]
    for line in open(f):
        rc, rev, kode, lok = line.rstrip("\n").split(" ", 3)
        if rc != "0":
            continue
        rev = int(rev)
        if rev in acked:
            bad.append("rev %d acknowledged twice" % rev)
        acked[rev] = (kode, lok)
        r = log.get(rev)
        if not r:
            bad.append("acknowledged rev %d missing from the log" % rev)
        elif r["author"] != name or r["keys"] != ["item/" + kode]:
            bad.append("rev %d: log says %s %s, acknowledged %s %s" % (rev, r["author"], r["keys"], name, kode))
newer = sorted(r for r in log if r > h0)
if newer != sorted(acked):
    bad.append("revisions after the start: %d in the log, %d acknowledged" % (len(newer), len(acked)))
print("\n".join(bad) if bad else "ok")
with open(os.path.join(T, "replay"), "w") as out:
    for rev in sorted(acked):
        print("%s\t%s" % acked[rev], file=out)
PY
check "every acknowledged revision is in the log, by its author, and nothing else" ok "$(head -5 "$T/logcheck")"

# Replay on a fresh plan: the start state, then the acknowledged changes in
# log order.
Q=replay/2024
"$RENJA" plan create $Q >/dev/null
json '{"goals": j.get("goals", []), "items": j["items"], "lines": j["lines"], "realisasi": j["realisasi"]}' <"$T/start.json" >"$T/start-body.json"
"$RENJA" import $Q "$T/start-body.json" >/dev/null
while IFS=$'\t' read -r kode lok; do
  # shellcheck disable=SC2086
  "$RENJA" set $Q "$kode" $lok >/dev/null || { fail "replay of $kode $lok"; break; }
done <"$T/replay"
body() { json '[j["items"], j["lines"], j["realisasi"]]' | sha256sum | cut -c1-16; }
check "replaying the acknowledged changes gives the same export" \
  "$("$RENJA" --format json export $P | body)" "$("$RENJA" --format json export $Q | body)"
kill -0 "$DAEMON_PID" && pass "the daemon serves on"
finish
