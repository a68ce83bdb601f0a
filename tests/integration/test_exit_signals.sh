#!/usr/bin/env bash
# Exit codes and signals as documented (docs/cli.md, README "Signals"): a
# call the server does not answer exits 6; log of an unknown kode exits 4
# like show; refusals name the command typed; SIGHUP (and the unit file's
# ExecReload), SIGUSR1 and SIGUSR2 leave renjad serving; SIGQUIT drains
# like SIGTERM, exits 0 and removes the socket file; nothing acknowledged is
# lost across any of it.
source "$(dirname "$0")/lib.sh"

D="$T/data"
"$RENJAD" init --data-dir "$D" >"$D.token" 2>/dev/null
start_daemon "$D"
RENJA_TOKEN=$(cat "$D.token")
export RENJA_TOKEN
P=contoh/2024
"$RENJA" plan create $P >/dev/null
cat >"$T/a.csv" <<'CSV'
kode,nama,bidang,pagu
2.17,Urusan Koperasi,,
2.17.01,Program Penunjang,Sekretariat,
2.17.01.1.01,Perencanaan,Sekretariat,
2.17.01.1.01.0001,Penyusunan Dokumen,Sekretariat,50.000.000
2.17.01.1.01.0002,Evaluasi Kinerja,Sekretariat,10.000.000
CSV
"$RENJA" import $P "$T/a.csv" >/dev/null
"$RENJA" rm $P 2.17.01.1.01.0002 >/dev/null

# --- not found ---------------------------------------------------------------
expect_exit "show of an unknown kode" 4 "$RENJA" show $P 2.17.01.1.01.0099
expect_exit "log of an unknown kode exits 4 like show" 4 "$RENJA" log $P 2.17.01.1.01.0099
case "$(cat "$T/err")" in
  "renja log: no item 2.17.01.1.01.0099 in plan $P"*) pass "log says which kode and plan" ;;
  *) fail "log message: $(cat "$T/err")" ;;
esac
expect_exit "log of an unknown budget line exits 4" 4 "$RENJA" log $P 5.1.01 --rekening
expect_exit "log of a removed item still shows its history" 0 "$RENJA" log $P 2.17.01.1.01.0002
check "the removed item's log has its two revisions" 2 "$(wc -l <"$T/out")"
expect_exit "log of a known item" 0 "$RENJA" log $P 2.17.01.1.01.0001

# --- refusals name the command typed -------------------------------------------
expect_exit "show refused" 4 "$RENJA" show $P 2.17.09
case "$(cat "$T/err")" in "renja show: "*) pass "show's refusal starts with 'renja show:'" ;;
  *) fail "show refusal: $(cat "$T/err")" ;; esac
expect_exit "set refused (bad value)" 2 "$RENJA" set $P 2.17.01.1.01.0001 pagu=abc
case "$(cat "$T/err")" in "renja set: "*) pass "set's refusal starts with 'renja set:'" ;;
  *) fail "set refusal: $(cat "$T/err")" ;; esac
expect_exit "stage set refused (no such revision)" 4 "$RENJA" stage set $P apbd --rev 99
case "$(cat "$T/err")" in "renja stage set: "*) pass "stage set's refusal starts with 'renja stage set:'" ;;
  *) fail "stage set refusal: $(cat "$T/err")" ;; esac
expect_exit "import of a missing file" 1 "$RENJA" import $P "$T/none.csv"
case "$(cat "$T/err")" in "renja import: $T/none.csv: No such file"*) pass "import's refusal starts with 'renja import:'" ;;
  *) fail "import refusal: $(cat "$T/err")" ;; esac
expect_exit "missing arguments" 2 "$RENJA" import $P
case "$(cat "$T/err")" in "renja import: missing arguments (usage: renja import PLAN FILE"*) pass "usage error names the command once" ;;
  *) fail "usage message: $(cat "$T/err")" ;; esac

# --- a server that does not answer -----------------------------------------------
kill -STOP "$DAEMON_PID"
expect_exit "no answer within --timeout exits 6 (plan list)" 6 "$RENJA" --timeout 1 plan list
case "$(cat "$T/err")" in "renja plan list: no answer from renjad at unix:$SOCK within 1 s"*"--timeout"*)
    pass "the timeout message names the server, the wait and the flag" ;;
  *) fail "timeout message: $(cat "$T/err")" ;; esac
expect_exit "no answer within --timeout exits 6 (health)" 6 "$RENJA" --timeout 1 health
expect_exit "no answer within --timeout exits 6 (import)" 6 "$RENJA" --timeout 1 import $P "$T/a.csv"
kill -CONT "$DAEMON_PID"
expect_exit "the daemon answers again after SIGCONT" 0 "$RENJA" health

# --- SIGHUP, the unit's ExecReload, SIGUSR1, SIGUSR2: still serving ---------------
alive() { # alive NAME: the same daemon still serves and has not drained
  sleep 0.3
  if kill -0 "$DAEMON_PID" 2>/dev/null && [ "$("$RENJA" health 2>&1)" == SERVING ]; then
    pass "$1: renjad keeps serving"
  else fail "$1: renjad is gone or not serving; log: $(tail -3 "$D/renjad.log")"; fi
}
kill -HUP "$DAEMON_PID"; alive "SIGHUP"
if grep -q "SIGHUP: nothing to reload" "$D/renjad.log"; then pass "SIGHUP is logged"
else fail "no SIGHUP line in the log"; fi
reload=$(sed -n 's/^ExecReload=//p' "$RENJA_SRC/systemd/renjad.service")
check "the unit has one ExecReload" 1 "$(printf '%s\n' "$reload" | grep -c .)"
MAINPID=$DAEMON_PID bash -c "${reload//\$MAINPID/\$MAINPID}"; alive "the unit's ExecReload ($reload)"
kill -USR1 "$DAEMON_PID"; alive "SIGUSR1"
if grep -q "SIGUSR1: uptime [0-9]* s, [0-9]* connection(s)" "$D/renjad.log"; then pass "SIGUSR1 logs figures"
else fail "no SIGUSR1 figures in the log"; fi
kill -USR2 "$DAEMON_PID"; alive "SIGUSR2"
if grep -q "SIGUSR2: ignored" "$D/renjad.log"; then pass "SIGUSR2 is logged as ignored"
else fail "no SIGUSR2 line in the log"; fi
if grep -q "draining" "$D/renjad.log"; then fail "a signal above started a drain"
else pass "none of them drained"; fi
"$RENJA" set $P 2.17.01.1.01.0001 pagu=60.000.000 >/dev/null
REVS=$("$RENJA" --format json log $P | json 'len(j["revisions"])')
check "three acknowledged revisions" 3 "$REVS"

# --- SIGQUIT drains like SIGTERM ---------------------------------------------------
"$RENJA" watch $P >"$T/watch.out" 2>&1 &
WATCH=$!
sleep 0.3
kill -QUIT "$DAEMON_PID"
rc=0; wait "$DAEMON_PID" || rc=$?
DAEMON_PID=""
check "SIGQUIT: renjad exits 0" 0 "$rc"
if grep -q "SIGQUIT: NOT_SERVING, draining" "$D/renjad.log"; then pass "SIGQUIT drains"
else fail "no drain on SIGQUIT: $(tail -3 "$D/renjad.log")"; fi
check "SIGQUIT: the socket file is removed" 0 "$([ -e "$SOCK" ] && echo 1 || echo 0)"
rc=0; wait "$WATCH" || rc=$?
check "the watch ends with 'server unavailable'" 6 "$rc"

start_daemon "$D"
check "every acknowledged revision is there after the restart" "$REVS" \
  "$("$RENJA" --format json log $P | json 'len(j["revisions"])')"
kill -TERM "$DAEMON_PID"
rc=0; wait "$DAEMON_PID" || rc=$?
DAEMON_PID=""
check "SIGTERM: renjad exits 0" 0 "$rc"
check "SIGTERM: the socket file is removed" 0 "$([ -e "$SOCK" ] && echo 1 || echo 0)"

# --- health --wait: a script can start renjad and wait until it serves ---------------
expect_exit "health --wait on nothing exits 6 when the time is up" 6 \
  "$RENJA" --server "unix:$SOCK" health --wait 1
case "$(cat "$T/err")" in *"(after waiting 1 s)") pass "it says how long it waited" ;;
  *) fail "health --wait message: $(cat "$T/err")" ;; esac
(sleep 0.5; exec "$RENJAD" --data-dir "$D" --listen "unix:$SOCK" 2>>"$D/late.log") &
LATE=$!
expect_exit "health --wait sees a daemon that starts later" 0 "$RENJA" --server "unix:$SOCK" health --wait 20
check "and prints SERVING" SERVING "$(cat "$T/out")"
kill -TERM "$LATE"; rc=0; wait "$LATE" || rc=$?
check "the late daemon exits 0" 0 "$rc"
expect_exit "health --wait takes seconds" 2 "$RENJA" health --wait soon
finish
