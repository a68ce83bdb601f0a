#!/usr/bin/env bash
# One owner per data dir and per socket: renjad refuses a data dir without a
# store (a mistyped --data-dir must not become an empty store), a second
# daemon on a data dir in use, a Unix socket a live daemon answers on, and
# restore or init into a data dir a daemon serves; every revision the daemon
# acknowledged is there after a restart.
source "$(dirname "$0")/lib.sh"

# A renjad expected to refuse must exit by itself; one that serves instead is
# stopped after a while (exit 124), so the check fails rather than hangs.
refused() { timeout -s TERM 10 "$RENJAD" "$@"; }

# --- a data dir that holds no store -----------------------------------------
rc=0; refused --data-dir "$T/tpyo" --listen "unix:$T/tpyo.sock" 2>"$T/tpyo.err" || rc=$?
check "renjad on a data dir without a store exits 1" 1 "$rc"
if grep -qF "renjad init --data-dir $T/tpyo" "$T/tpyo.err"; then pass "it says to run renjad init"
else fail "message: $(cat "$T/tpyo.err")"; fi
check "nothing was created" 0 "$([ -e "$T/tpyo" ] && echo 1 || echo 0)"
mkdir "$T/empty"
expect_exit "renjad on an empty dir" 1 refused --data-dir "$T/empty" --listen "unix:$T/empty/s.sock"
check "no store appears in the empty dir" 0 "$([ -e "$T/empty/data.mdb" ] && echo 1 || echo 0)"
expect_exit "token add on a data dir without a store" 1 \
  "$RENJAD" token add --data-dir "$T/tpyo" --name x --role viewer
expect_exit "backup of a data dir without a store" 1 "$RENJAD" backup --data-dir "$T/tpyo" "$T/x.mdb"
check "still nothing created" 0 "$([ -e "$T/tpyo" ] && echo 1 || echo 0)"

# --- a daemon serving D -------------------------------------------------------
D="$T/data"
init_store "$D"
start_daemon "$D"
FIRST=$DAEMON_PID
P=kunci/2024
"$RENJA" plan create $P >/dev/null
: >"$T/acked"
for i in 1 2 3; do "$RENJA" set $P 2.17 nama="Urusan $i" --message "before backup $i" >>"$T/acked"; done
"$RENJAD" backup --data-dir "$D" "$T/old.mdb" 2>"$T/backup.err" \
  && pass "backup runs against the live daemon" || fail "backup: $(cat "$T/backup.err")"
for i in 4 5 6; do "$RENJA" set $P 2.17 nama="Urusan $i" --message "after backup $i" >>"$T/acked"; done

# restore and init into the served data dir are refused, naming the daemon.
expect_exit "restore into a data dir in use" 1 "$RENJAD" restore --data-dir "$D" "$T/old.mdb"
if grep -q "pid $FIRST" "$T/err"; then pass "restore names the daemon's pid"; else fail "message: $(cat "$T/err")"; fi
expect_exit "init of a data dir in use" 1 "$RENJAD" init --data-dir "$D"
if grep -q "pid $FIRST" "$T/err"; then pass "init names the daemon's pid"; else fail "message: $(cat "$T/err")"; fi
check "the daemon still serves" "SERVING" "$("$RENJA" health)"
for i in 7 8; do "$RENJA" set $P 2.17 nama="Urusan $i" --message "after restore $i" >>"$T/acked"; done

# A second daemon on the same data dir (its own socket and port) is refused.
rc=0; refused --data-dir "$D" --listen "unix:$T/second.sock" --listen 127.0.0.1:0 \
  2>"$T/second.err" || rc=$?
check "a second renjad on the data dir exits 1" 1 "$rc"
if grep -q "pid $FIRST" "$T/second.err"; then pass "it names the first's pid"; else fail "message: $(cat "$T/second.err")"; fi

# A daemon on another data dir given the first one's socket is refused, and
# the first one's socket keeps working after it exits.
init_store "$T/other"
rc=0; refused --data-dir "$T/other" --listen "unix:$SOCK" 2>"$T/other.err" || rc=$?
check "a renjad on a socket a live daemon answers on exits 1" 1 "$rc"
if grep -q "pid $FIRST" "$T/other.err"; then pass "it names the pid that answers"; else fail "message: $(cat "$T/other.err")"; fi
check "the first daemon's socket is still there" 1 "$([ -S "$SOCK" ] && echo 1 || echo 0)"
check "and still answers" "SERVING" "$("$RENJA" --server "unix:$SOCK" health)"
# A file that is not a socket is not removed either.
echo keep >"$T/notasocket"
expect_exit "a --listen path that is a regular file" 1 \
  refused --data-dir "$T/other" --listen "unix:$T/notasocket"
check "the file is kept" keep "$(cat "$T/notasocket")"

# Every acknowledged revision is there after a restart.
acked=$(sort -n "$T/acked" | tr '\n' ' ')
stop_daemon || fail "SIGTERM"
start_daemon "$D"
check "every acknowledged revision after the restart" "$acked" \
  "$("$RENJA" --format json log $P | json '" ".join(str(r["rev"]) for r in sorted(j["revisions"], key=lambda r: r["rev"])) + " "')"
check "the last one's value" "Urusan 8" \
  "$("$RENJA" --format json show $P 2.17 | json '[i["nama"] for i in j["items"] if i["kode"]=="2.17"][0]')"

# A socket file left by a daemon killed outright is stale: the next start
# takes it over.
kill -KILL "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null || true; DAEMON_PID=""
check "the killed daemon left its socket file" 1 "$([ -S "$SOCK" ] && echo 1 || echo 0)"
start_daemon "$D"
check "a stale socket is taken over" "SERVING" "$("$RENJA" health)"
stop_daemon || fail "SIGTERM"

# With the daemon stopped, restore goes through (and restores the backup).
expect_exit "restore into a stopped data dir" 0 "$RENJAD" restore --data-dir "$D" "$T/old.mdb"
start_daemon "$D"
check "the restored store has the backup's revisions" "Urusan 3" \
  "$("$RENJA" --format json show $P 2.17 | json '[i["nama"] for i in j["items"] if i["kode"]=="2.17"][0]')"
stop_daemon || fail "SIGTERM"
finish
