# Shared helpers for the integration tests: a real renjad on a temp data dir,
# called through the real renja CLI. Source it; it sets -euo pipefail.
set -euo pipefail

: "${RENJAD:?RENJAD must name the renjad binary}"
: "${RENJA:?RENJA must name the renja binary}"
: "${RENJA_SRC:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"

T=$(mktemp -d /tmp/renja-test.XXXXXX)
DAEMON_PID=""
PASSED=0
FAILED=0

cleanup() {
  if [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
    kill -TERM "$DAEMON_PID" 2>/dev/null || true
    wait "$DAEMON_PID" 2>/dev/null || true
  fi
  rm -rf "$T"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; FAILED=$((FAILED + 1)); }
pass() { echo "ok: $*"; PASSED=$((PASSED + 1)); }

# check NAME EXPECTED ACTUAL
check() {
  if [ "$2" == "$3" ]; then pass "$1"; else fail "$1: expected [$2], got [$3]"; fi
}

# expect_exit NAME CODE CMD...: run CMD, compare its exit code.
expect_exit() {
  local name=$1 code=$2; shift 2
  local rc=0
  "$@" >"$T/out" 2>"$T/err" || rc=$?
  if [ "$rc" == "$code" ]; then pass "$name (exit $rc)"
  else fail "$name: expected exit $code, got $rc; stderr: $(head -c 500 "$T/err")"; fi
}

# init_store DIR: `renjad init` a new store in DIR; the admin token it
# prints is kept in DIR/admin.token for start_daemon.
init_store() {
  local dir=$1
  mkdir -p "$dir"
  "$RENJAD" init --data-dir "$dir" >"$dir/admin.token" 2>>"$dir/renjad.log" \
    || { echo "renjad init --data-dir $dir failed:" >&2; cat "$dir/renjad.log" >&2; return 1; }
}

# start_daemon DIR [extra renjad args]: start renjad (on a store made by
# init_store, or restored) listening on a unix socket in DIR and an ephemeral
# TCP port; sets SOCK, TCP, RENJA_SERVER, RENJA_TOKEN (the admin token from
# DIR/admin.token, if there), DAEMON_PID.
start_daemon() {
  local dir=$1; shift
  mkdir -p "$dir"
  SOCK="$dir/renjad.sock"
  # Only this start's lines count: the log keeps those of earlier starts.
  local from
  from=$(($(stat -c %s "$dir/renjad.log" 2>/dev/null || echo 0) + 1))
  "$RENJAD" --data-dir "$dir" --listen "unix:$SOCK" --listen 127.0.0.1:0 "$@" \
    2>>"$dir/renjad.log" &
  DAEMON_PID=$!
  local i up=0
  for i in $(seq 1 400); do
    if tail -c "+$from" "$dir/renjad.log" | grep -q "serving [0-9]* listener"; then
      up=1; break
    fi
    if ! kill -0 "$DAEMON_PID" 2>/dev/null; then
      echo "renjad died at start:" >&2; tail -c "+$from" "$dir/renjad.log" >&2; return 1
    fi
    sleep 0.05
  done
  [ "$up" = 1 ] || { echo "renjad did not start within 20 s" >&2; return 1; }
  TCP=$(tail -c "+$from" "$dir/renjad.log" | grep -o "listening on 127.0.0.1:[0-9]*" | tail -1 \
        | sed 's/listening on //')
  export RENJA_SERVER="unix:$SOCK"
  if [ -f "$dir/admin.token" ]; then
    RENJA_TOKEN=$(cat "$dir/admin.token")
    export RENJA_TOKEN
  fi
}

stop_daemon() {
  local rc=0
  kill -TERM "$DAEMON_PID"
  wait "$DAEMON_PID" || rc=$?
  DAEMON_PID=""
  return $rc
}

# json EXPR: read JSON on stdin, print the python expression EXPR of it (j).
json() {
  /usr/bin/python3 -c "import json,sys; j=json.load(sys.stdin); v=($1); print(v if not isinstance(v,(dict,list)) else json.dumps(v, sort_keys=True))"
}

finish() {
  echo "$PASSED passed, $FAILED failed"
  [ "$FAILED" -eq 0 ]
}
