#!/usr/bin/env bash
# Durability: renjad receiving a stream of submits from four concurrent
# clients is killed with SIGKILL at random moments, 100 times
# (CRASH_ROUNDS); after every tenth restart and the last, every revision a
# client saw acknowledged is there with its message, revisions are numbered
# without gaps, and the store opens cleanly; at the end each acknowledged
# revision of the last ten rounds holds exactly the pagu it set, the
# stored roll-ups and group sums give the figures the items give; and the
# starts replayed renja.wal.
source "$(dirname "$0")/../integration/lib.sh"

D="$T/data"
init_store "$D"
start_daemon "$D"
P=crash/2024
"$RENJA" plan create $P >/dev/null
"$RENJA" set $P 2.17 nama="Urusan" >/dev/null
# each writer's sub kegiatan: its own bidang, two sumber dana among four
for w in 1 2 3 4; do
  "$RENJA" set $P 2.17.0$w nama="Program $w" >/dev/null
  "$RENJA" set $P 2.17.0$w.1.01 nama="Kegiatan $w" >/dev/null
  "$RENJA" set $P 2.17.0$w.1.01.0001 nama="Sub kegiatan $w" bidang="Bidang $w" \
    sumber-dana=$([ $((w % 2)) = 0 ] && echo PAD || echo DAK) >/dev/null
done
: >"$T/acks"

# A set of the pagu an item already has makes no revision: every set here
# writes a value unique to its round, so that each one is a revision.
writer() { # writer W ROUND: submit until the daemon goes away
  local w=$1 round=$2 i=0 rev
  while :; do
    i=$((i + 1))
    rev=$("$RENJA" --timeout 5 set $P 2.17.0$w.1.01.0001 pagu=$((round * 1000000 + i)) --message "w$w-r$round-$i" 2>/dev/null) || return 0
    echo "$rev w$w-r$round-$i" >>"$T/acks"
  done
}

ROUNDS=${CRASH_ROUNDS:-100}
for round in $(seq 1 $ROUNDS); do
  pids=()
  for w in 1 2 3 4; do writer $w $round & pids+=($!); done
  # 20..300 ms of writes: some rounds are killed before any lands
  sleep "$(printf '0.%03d' $((RANDOM % 281 + 20)))"
  kill -KILL "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null || true; DAEMON_PID=""
  for p in "${pids[@]}"; do wait "$p" || true; done
  start_daemon "$D"
  [ $((round % 10)) = 0 ] || [ "$round" = "$ROUNDS" ] || continue
  "$RENJA" --format json log $P >"$T/log.json" || { fail "log after restart $round"; continue; }
  /usr/bin/python3 - "$T/log.json" "$T/acks" <<'PY' && pass "round $round: every acknowledged revision survived" || fail "round $round"
import json, sys
revs = {r["rev"]: r["message"] for r in json.load(open(sys.argv[1]))["revisions"]}
acks = [l.split(" ", 1) for l in open(sys.argv[2]).read().splitlines() if l]
missing = [(r, m) for r, m in acks if revs.get(int(r)) != m]
gaps = sorted(set(range(1, max(revs) + 1)) - set(revs))
print("revisions %d, acknowledged %d, missing %d, gaps %d" % (len(revs), len(acks), len(missing), len(gaps)))
sys.exit(1 if missing or gaps else 0)
PY
done
# Exact content: the pagu each acknowledged revision of the last ten rounds
# set (message wW-rR-I sets pagu R * 1000000 + I on 2.17.0W.1.01.0001), read as of that
# revision.
/usr/bin/python3 - "$T/acks" "$ROUNDS" "$RENJA" $P <<'PY' && pass "every acknowledged revision of the last ten rounds holds its pagu" || fail "exact content"
import json, subprocess, sys
acks, rounds, renja, plan = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
bad = n = 0
for line in open(acks).read().splitlines():
    rev, msg = line.split(" ", 1)
    w, r, i = msg.split("-")
    if int(r[1:]) <= rounds - 10:
        continue
    kode = "2.17.0" + w[1:] + ".1.01.0001"
    out = subprocess.run([renja, "--format", "json", "show", plan, kode, "--at", rev],
                         capture_output=True, text=True, check=True).stdout
    items = [x for x in json.loads(out)["items"] if x["kode"] == kode]
    n += 1
    want = int(r[1:]) * 1000000 + int(i)
    if not items or items[0].get("pagu") != want:
        bad += 1
        print("rev %s (%s): %s, expected pagu %s" % (rev, msg, items[:1], want))
print("checked %d acknowledged revisions, %d wrong" % (n, bad))
sys.exit(1 if bad else 0)
PY
# The sums the store keeps (roll-ups, group sums by bidang and sumber dana)
# against the items read whole (--all), from a few revisions to head.
/usr/bin/python3 - "$RENJA" $P <<'PY' && pass "stored roll-ups and group sums agree with the items after the crashes" || fail "stored sums"
import json, subprocess, sys
renja, plan = sys.argv[1], sys.argv[2]
def diff(*args):
    out = subprocess.run([renja, "--format", "json", "diff", plan] + list(args),
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)
log = subprocess.run([renja, "--format", "json", "log", plan], capture_output=True, text=True,
                     check=True).stdout
head = max(r["rev"] for r in json.loads(log)["revisions"])
bad = 0
for frm in sorted({0, 1, head // 3, head // 2, head - 1}):
    for by in ["", "bidang", "sumber-dana"]:
        extra = ["--by", by] if by else []
        a, b = diff(str(frm), "head", *extra), diff(str(frm), "head", "--all", *extra)
        ga = [(g["key"], g.get("pagu_from", 0), g.get("pagu_to", 0)) for g in a.get("groups", [])]
        gb = [(g["key"], g.get("pagu_from", 0), g.get("pagu_to", 0)) for g in b.get("groups", [])]
        if a["total"] != b["total"] or ga != gb:
            bad += 1
            print("from %d by %r: %s %s, with --all %s %s" % (frm, by, a["total"], ga, b["total"], gb))
print("head %d, %d disagreements" % (head, bad))
sys.exit(1 if bad or head < 20 else 0)
PY
# The starts after a SIGKILL replayed renja.wal: the log is what this test
# proves durable.
n=$(grep -c "recovered from a crash: [0-9]* write(s) replayed from the write-ahead log" "$D/renjad.log" || true)
[ "$n" -gt 0 ] && pass "$n of $ROUNDS starts replayed the write-ahead log" \
  || fail "no start replayed the write-ahead log"
check "the daemon still serves" "SERVING" "$("$RENJA" health)"
finish
