#!/usr/bin/env bash
# renjad's write-ahead log (renja.wal) where it can go wrong:
# - a flush of the log that fails (a preload makes fdatasync of renja.wal,
#   or its O_DSYNC write, return EIO): the submit is refused with a message that says so, the
#   daemon keeps serving, a later submit succeeds when one flush failed, and
#   writes are refused until a restart when the log cannot be repaired;
#   after the restart every acknowledged revision is there and none of the
#   refused ones;
# - a token added by `renjad token add` beside a running daemon survives
#   the daemon's SIGKILL and the recovery at its next start;
# - the daemon killed with SIGKILL replays its log at the next start and
#   says so in its log;
# - records are written with O_DIRECT and O_DSYNC where the file system
#   takes it, else written and then flushed (RENJA_WAL_DIRECT=0, or a file
#   system that refuses O_DIRECT): the start says which, and on the second
#   way too a failed flush is a refused write and a SIGKILL loses nothing.
source "$(dirname "$0")/../integration/lib.sh"
: "${RENJA_FAILSYNC_LIB:?RENJA_FAILSYNC_LIB must name the failsync preload}"
# The preload comes before a sanitizer's runtime; that is intended here.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"

D="$T/data"
init_store "$D"
CONTROL="$T/failsync"
LD_PRELOAD="$RENJA_FAILSYNC_LIB" RENJA_FAILSYNC="$CONTROL" start_daemon "$D"
P=walfault/2024
"$RENJA" plan create $P >/dev/null
# Where the file system takes O_DIRECT the log's records are written with
# it (and O_DSYNC): the refusals below are then of such a write.
takes_direct() {
  /usr/bin/python3 -c 'import os,sys
try: os.close(os.open(sys.argv[1], os.O_WRONLY | os.O_DIRECT))
except OSError: sys.exit(1)' "$1"
}
if takes_direct "$D/renja.wal"; then
  grep -q "write-ahead log: records written with O_DIRECT and O_DSYNC" "$D/renjad.log" \
    && pass "records go to the log with O_DIRECT and O_DSYNC" \
    || fail "no direct-write line in $D/renjad.log: $(grep 'write-ahead log:' "$D/renjad.log")"
else
  echo "note: $T takes no O_DIRECT; the buffered path is tested twice"
fi
check "first submit" "1" "$("$RENJA" set $P 2.17 nama=Urusan pagu=1000)"
# The idle checkpoint after it (100 ms on) flushes the log too: let it
# pass before the fault is armed, or it, not the next submit, takes it.
sleep 1

echo once >"$CONTROL"
expect_exit "a submit whose log flush fails is refused" 1 "$RENJA" set $P 2.17 pagu=2000
grep -q "write-ahead log .*renja.wal.*Input/output error" "$T/err" \
  && pass "the refusal names the log and the error" || fail "refusal message: $(cat "$T/err")"
check "the next submit succeeds" "2" "$("$RENJA" set $P 2.17 pagu=3000)"

echo always >"$CONTROL"
expect_exit "a submit is refused while flushes fail" 1 "$RENJA" set $P 2.17 pagu=4000
rm -f "$CONTROL"
expect_exit "writes stay refused after a log that could not be repaired" 1 \
  "$RENJA" set $P 2.17 pagu=5000
grep -q "writes are refused until renjad is restarted" "$T/err" \
  && pass "the refusal says what to do" || fail "refusal message: $(cat "$T/err")"
sleep 0.5 # beyond the writer's idle checkpoint
n=$(grep -c "checkpoint:" "$D/renjad.log" || true)
[ "$n" -le 1 ] && pass "a broken log is said once, not at every idle checkpoint" \
  || fail "the log repeats the broken log's checkpoint $n times"
check "reads are still served" "3000" "$("$RENJA" --format json show $P 2.17 \
  | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["pagu"])')"
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null || true; DAEMON_PID=""

start_daemon "$D"
"$RENJA" --format json log $P >"$T/log.json"
check "after the restart: the acknowledged revisions, none of the refused" "1:1000 2:3000" \
  "$(/usr/bin/python3 - "$T/log.json" "$RENJA" $P <<'PY'
import json, subprocess, sys
revs = sorted(r["rev"] for r in json.load(open(sys.argv[1]))["revisions"])
out = []
for r in revs:
    item = json.loads(subprocess.check_output([sys.argv[2], "--format", "json", "show", sys.argv[3], "2.17", "--at", str(r)]))
    out.append("%d:%d" % (r, int(item["items"][0]["pagu"])))
print(" ".join(out))
PY
)"
check "and it takes writes again" "3" "$("$RENJA" set $P 2.17 pagu=6000)"

# A token added beside the daemon, then the daemon killed.
"$RENJAD" token add --data-dir "$D" --name beside --role viewer >"$T/beside.token" 2>/dev/null
for i in 1 2 3 4 5; do "$RENJA" set $P 2.17 pagu=$((7000 + i)) >/dev/null; done
kill -KILL "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null || true; DAEMON_PID=""
start_daemon "$D"
grep -q "recovered from a crash: [0-9]* write(s) replayed from the write-ahead log" "$D/renjad.log" \
  && pass "the start after SIGKILL replays the log and says so" || fail "no recovery line in the log"
check "every revision after SIGKILL" "8" "$("$RENJA" --format json log $P \
  | /usr/bin/python3 -c 'import json,sys; print(max(r["rev"] for r in json.load(sys.stdin)["revisions"]))')"
RENJA_TOKEN=$(cat "$T/beside.token") "$RENJA" plan list >/dev/null 2>"$T/err" \
  && pass "the token added beside the daemon survived its crash" \
  || fail "token added beside the daemon: $(cat "$T/err")"

# The sysadmin's night: the daemon dies, `renjad backup` of the dir (no
# daemon) replays the log first, and the restored copy has every revision.
for i in 1 2 3; do "$RENJA" set $P 2.17 pagu=$((8000 + i)) >/dev/null; done
kill -KILL "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null || true; DAEMON_PID=""
"$RENJAD" backup --data-dir "$D" "$T/night.mdb" 2>"$T/err" \
  && grep -q "recovered .* from a crash: [0-9]* write(s) replayed" "$T/err" \
  && pass "backup of a crashed daemon's dir replays its log and says so" \
  || fail "backup after a crash: $(cat "$T/err")"
"$RENJAD" restore --data-dir "$T/restored" "$T/night.mdb" 2>/dev/null
cp "$D/admin.token" "$T/restored/"
start_daemon "$T/restored"
check "the restored copy has every acknowledged revision" "11 8003" "$("$RENJA" --format json show $P 2.17 \
  | /usr/bin/python3 -c 'import json,sys; a=json.load(sys.stdin); print(a["rev"], a["items"][0]["pagu"])')"

# A flush of the data file ahead of a checkpoint fails once (the flusher's
# first write-out of data.mdb, sync_file_range or fdatasync). The
# checkpoint after it must fail too, not take a later flush's success for
# the lost pages: writes are refused until a restart, and the restart has
# every acknowledged revision.
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null || true; DAEMON_PID=""
D2="$T/data2"
init_store "$D2"
LD_PRELOAD="$RENJA_FAILSYNC_LIB" RENJA_FAILSYNC="$CONTROL" RENJA_FAILSYNC_FILE=data.mdb \
  start_daemon "$D2"
P2=flushfault/2024
"$RENJA" plan create $P2 >/dev/null
"$RENJA" set $P2 2.17 nama=Urusan pagu=1 >/dev/null
sleep 1 # as above: the idle checkpoint of these two first
echo once >"$CONTROL"
# Two writers without a pause: 2 MiB of pages or 1,000 records make a
# checkpoint due (an idle one goes through the flusher too).
loops=""
for w in 1 2; do
  (for i in $(seq 1 700); do
    "$RENJA" set $P2 2.17.0$w nama=Program pagu=$i >/dev/null 2>>"$T/flush-$w.err" \
      && echo "$w:$i" >>"$T/acked-$w"
  done) &
  loops="$loops $!"
done
wait $loops || true # a loop ends with a refused write
[ ! -e "$CONTROL" ] && pass "the data file's flush was made to fail" \
  || fail "no flush of data.mdb was attempted"
grep -q "flushing the data file: Input/output error" "$D2/renjad.log" \
  && pass "the failed flush is in the log" || fail "no flush failure line in $D2/renjad.log"
grep -q "checkpoint failed: Input/output error; writes are refused until renjad is restarted" \
  "$T"/flush-*.err && pass "the checkpoint after it fails and writes are refused" \
  || fail "writes went on after a failed flush: $(tail -2 "$T"/flush-*.err)"
acked=$(cat "$T"/acked-* | wc -l)
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null || true; DAEMON_PID=""
start_daemon "$D2"
check "after the restart every acknowledged revision is there" "$((acked + 1))" \
  "$("$RENJA" --format json log $P2 \
  | /usr/bin/python3 -c 'import json,sys; print(max(r["rev"] for r in json.load(sys.stdin)["revisions"]))')"
last1=$(tail -1 "$T/acked-1" | cut -d: -f2)
check "with its content" "$last1" "$("$RENJA" --format json show $P2 2.17.01 \
  | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["pagu"])')"

# The other way records are written: then flushed with fdatasync, where
# the file system takes no O_DIRECT (the preload's RENJA_FAILSYNC_NODIRECT
# makes open refuse it, as such a file system does) or RENJA_WAL_DIRECT=0
# says so. A flush that fails once is a refused write, and a SIGKILL loses
# nothing.
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null || true; DAEMON_PID=""
buffered() { # DIR: the daemon's dir, started with what precedes the call
  grep -q "write-ahead log: records written, then flushed with fdatasync" "$1/renjad.log" \
    && pass "$2: records are written, then flushed" \
    || fail "$2: no buffered-write line in $1/renjad.log: $(grep 'write-ahead log:' "$1/renjad.log")"
  local p=buffered/2024
  "$RENJA" plan create $p >/dev/null
  "$RENJA" set $p 2.17 nama=Urusan pagu=1 >/dev/null
  sleep 1 # the idle checkpoint first, as above
  echo once >"$CONTROL"
  expect_exit "$2: a submit whose log flush fails is refused" 1 "$RENJA" set $p 2.17 pagu=2
  for i in 3 4 5 6; do "$RENJA" set $p 2.17 pagu=$i >/dev/null; done
  kill -KILL "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null || true; DAEMON_PID=""
  start_daemon "$1"
  check "$2: every acknowledged revision after SIGKILL, none of the refused" "5 6" \
    "$("$RENJA" --format json show $p 2.17 \
    | /usr/bin/python3 -c 'import json,sys; a=json.load(sys.stdin); print(a["rev"], a["items"][0]["pagu"])')"
  kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null || true; DAEMON_PID=""
}
D3="$T/data3"
init_store "$D3"
RENJA_WAL_DIRECT=0 LD_PRELOAD="$RENJA_FAILSYNC_LIB" RENJA_FAILSYNC="$CONTROL" start_daemon "$D3"
buffered "$D3" "RENJA_WAL_DIRECT=0"
D4="$T/data4"
init_store "$D4"
RENJA_FAILSYNC_NODIRECT=1 LD_PRELOAD="$RENJA_FAILSYNC_LIB" RENJA_FAILSYNC="$CONTROL" \
  start_daemon "$D4"
buffered "$D4" "a file system that refuses O_DIRECT"

echo "passed $PASSED, failed $FAILED"
[ "$FAILED" = 0 ]
