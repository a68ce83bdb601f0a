#!/usr/bin/env bash
# Durability: renjad receiving a stream of submits from several clients is
# killed with SIGKILL at random moments; after each restart every revision a
# client saw acknowledged is there with its message, revisions are numbered
# without gaps, and the store opens cleanly.
source "$(dirname "$0")/../integration/lib.sh"

D="$T/data"
init_store "$D"
start_daemon "$D"
P=crash/2024
"$RENJA" plan create $P >/dev/null
"$RENJA" set $P 2.17 nama="Urusan" >/dev/null
for w in 1 2 3 4; do "$RENJA" set $P 2.17.0$w nama="Program $w" >/dev/null; done
: >"$T/acks"

writer() { # writer W ROUND: submit until the daemon goes away
  local w=$1 round=$2 i=0 rev
  while :; do
    i=$((i + 1))
    rev=$("$RENJA" --timeout 5 set $P 2.17.0$w pagu=$i --message "w$w-r$round-$i" 2>/dev/null) || return 0
    echo "$rev w$w-r$round-$i" >>"$T/acks"
  done
}

ROUNDS=${CRASH_ROUNDS:-5}
for round in $(seq 1 $ROUNDS); do
  pids=()
  for w in 1 2 3 4; do writer $w $round & pids+=($!); done
  sleep "0.$((RANDOM % 9 + 1))"
  kill -KILL "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null || true; DAEMON_PID=""
  for p in "${pids[@]}"; do wait "$p" || true; done
  start_daemon "$D"
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
check "the daemon still serves" "SERVING" "$("$RENJA" health)"
finish
