#!/usr/bin/env bash
# renjad against etcd, side by side in one run.
#
#   tests/bench/compare.sh [BUILD_DIR]      (default: ./build)
#
# Starts a fresh renjad (renjad init on a temp dir) and a fresh etcd (Debian
# etcd-server, on a temp dir), both on 127.0.0.1 over h2c, and drives each
# at 1, 8 and 64 clients (one connection and one stream at a time per
# client, closed loop), the same request counts for both, the same tool for
# both sides of a row. Prints one table: req/s, mean and p99 latency of
#
#   renja Submit (one item, no base)    vs  etcd Put (200-byte value)
#   renja Show of one item              vs  etcd Range of one key (serializable)
#   renja Health (the transport alone)  vs  etcd Range
#
# with the renja/etcd ratio of req/s per row, and the share of one core the
# client and the daemon used over each row; the raw LMDB synced commit rate
# of one writer (bench_store --raw-lmdb, on the same disk) as the physical
# ceiling; the peak RSS of both daemons. It checks that every acknowledged
# Submit became a revision and every acknowledged Put an etcd revision.
#
# Show, Range and Health send one fixed body, with h2load. Submit and Put
# are driven by bench_h2 (tests/bench/bench_h2.c, built with the others): a
# fixed Submit body would be "unchanged" after the first and make no
# revision, so the row would time no-ops. bench_h2's request i sets the
# item's pagu to i (a Submit) or puts a value starting with i (a Put), so
# each makes a revision; it prints the same four figures as run below.
#
# Not part of the default test run (it measures, it asserts no timing).
# REQUESTS_1, REQUESTS_8, REQUESTS_64 override the request counts.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:-$SRC/build}" && pwd)
RENJAD=$BUILD/renjad
RENJA=$BUILD/renja
for b in "$RENJAD" "$RENJA" "$BUILD/bench_store" "$BUILD/bench_h2"; do
  [ -x "$b" ] || { echo "compare.sh: $b not built (cmake --build $BUILD)" >&2; exit 2; }
done
bash "$SRC/tests/bench/bench-deps.sh"
# Debian's python3 has python3-grpcio; a python3 earlier on PATH may not.
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3

N1=${REQUESTS_1:-5000}
N8=${REQUESTS_8:-20000}
N64=${REQUESTS_64:-50000}
PLAN=bench-opd/2024
LEAF=2.17.01.1.01.0001

T=$(mktemp -d "${TMPDIR:-/tmp}/renja-compare.XXXXXX")
RENJAD_PID=""
ETCD_PID=""
cleanup() {
  for p in "$RENJAD_PID" "$ETCD_PID"; do
    if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then
      kill -TERM "$p" 2>/dev/null || true
      wait "$p" 2>/dev/null || true
    fi
  done
  rm -rf "$T"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# body NAME PROTO_DIR PROTO TYPE TEXT: NAME.pb (the message) and NAME.grpc
# (the message in its gRPC frame: flag 0, 4-byte big-endian length).
body() {
  local name=$1 dir=$2 proto=$3 type=$4 text=$5
  printf '%s\n' "$text" | protoc --encode="$type" -I "$dir" "$proto" >"$T/$name.pb"
  python3 - "$T/$name.pb" "$T/$name.grpc" <<'EOF'
import struct, sys
m = open(sys.argv[1], "rb").read()
open(sys.argv[2], "wb").write(b"\0" + struct.pack(">I", len(m)) + m)
EOF
}

# --- renjad ------------------------------------------------------------------
mkdir -p "$T/renja"
"$RENJAD" init --data-dir "$T/renja" >"$T/renja/admin.token" 2>"$T/renja/renjad.log"
TOKEN=$(cat "$T/renja/admin.token")
RPORT=$(free_port)
"$RENJAD" --data-dir "$T/renja" --listen "127.0.0.1:$RPORT" --log-level warn \
  2>>"$T/renja/renjad.log" &
RENJAD_PID=$!

# --- etcd --------------------------------------------------------------------
EPORT=$(free_port)
PPORT=$(free_port)
etcd --name bench --data-dir "$T/etcd" \
  --listen-client-urls "http://127.0.0.1:$EPORT" --advertise-client-urls "http://127.0.0.1:$EPORT" \
  --listen-peer-urls "http://127.0.0.1:$PPORT" --initial-advertise-peer-urls "http://127.0.0.1:$PPORT" \
  --initial-cluster "bench=http://127.0.0.1:$PPORT" --log-level error >"$T/etcd.log" 2>&1 &
ETCD_PID=$!

body health "$SRC/proto" grpc/health/v1/health.proto grpc.health.v1.HealthCheckRequest ''
for i in $(seq 1 200); do
  if "$PY" "$SRC/tests/bench/grpc_once.py" "127.0.0.1:$RPORT" /grpc.health.v1.Health/Check \
    "$T/health.pb" >/dev/null 2>&1; then break; fi
  kill -0 "$RENJAD_PID" 2>/dev/null || { echo "renjad died:" >&2; cat "$T/renja/renjad.log" >&2; exit 1; }
  sleep 0.05
done

export RENJA_SERVER="127.0.0.1:$RPORT" RENJA_TOKEN="$TOKEN"
"$RENJA" plan create "$PLAN" --nama "Dinas Bench" >/dev/null
body tree "$SRC/proto" renja/v1/renja.proto renja.v1.SubmitRequest "plan: \"$PLAN\"
  changes { upsert_item { kode: \"2.17\" nama: \"Urusan Koperasi\" } }
  changes { upsert_item { kode: \"2.17.01\" nama: \"Program Penunjang\" } }
  changes { upsert_item { kode: \"2.17.01.1.01\" nama: \"Perencanaan\" bidang: \"Sekretariat\" } }"
"$PY" "$SRC/tests/bench/grpc_once.py" "127.0.0.1:$RPORT" /renja.v1.Renja/Submit "$T/tree.pb" \
  "$TOKEN" >/dev/null
body submit "$SRC/proto" renja/v1/renja.proto renja.v1.SubmitRequest "plan: \"$PLAN\"
  message: \"bench\"
  changes { upsert_item { kode: \"$LEAF\" nama: \"Penyusunan Dokumen Perencanaan\"
    bidang: \"Sekretariat\" has_pagu: true pagu: 125000000 sumber_dana: \"DAU\" } }"
body show "$SRC/proto" renja/v1/renja.proto renja.v1.ShowRequest "plan: \"$PLAN\" kode: \"$LEAF\""
"$PY" "$SRC/tests/bench/grpc_once.py" "127.0.0.1:$RPORT" /renja.v1.Renja/Submit "$T/submit.pb" \
  "$TOKEN" >/dev/null
"$PY" "$SRC/tests/bench/grpc_once.py" "127.0.0.1:$RPORT" /renja.v1.Renja/Show "$T/show.pb" \
  "$TOKEN" >/dev/null

VALUE=$(head -c 200 /dev/zero | tr '\0' 'v')
body put "$SRC/tests/bench" etcd_kv.proto etcdserverpb.PutRequest "key: \"bench-key\" value: \"$VALUE\""
body range "$SRC/tests/bench" etcd_kv.proto etcdserverpb.RangeRequest \
  "key: \"bench-key\" serializable: true"
for i in $(seq 1 200); do
  if "$PY" "$SRC/tests/bench/grpc_once.py" "127.0.0.1:$EPORT" /etcdserverpb.KV/Put "$T/put.pb" \
    >/dev/null 2>&1; then break; fi
  kill -0 "$ETCD_PID" 2>/dev/null || { echo "etcd died:" >&2; cat "$T/etcd.log" >&2; exit 1; }
  sleep 0.1
done
"$PY" "$SRC/tests/bench/grpc_once.py" "127.0.0.1:$EPORT" /etcdserverpb.KV/Range "$T/range.pb" \
  >/dev/null

renja_head() {
  "$PY" "$SRC/tests/bench/grpc_once.py" "127.0.0.1:$RPORT" /renja.v1.Renja/Show "$T/show.pb" \
    "$TOKEN" | protoc --decode=renja.v1.ShowResponse -I "$SRC/proto" renja/v1/renja.proto \
    | awk '$1 == "rev:" { print $2; exit }'
}
etcd_rev() {
  "$PY" "$SRC/tests/bench/grpc_once.py" "127.0.0.1:$EPORT" /etcdserverpb.KV/Range "$T/range.pb" \
    | protoc --decode=etcdserverpb.RangeResponse -I "$SRC/tests/bench" etcd_kv.proto \
    | awk '$1 == "revision:" { print $2 }'
}

# cpu_ticks PID: the CPU time a daemon has used so far, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
TICK=$(getconf CLK_TCK)

# timed SERVER_PID CMD...: runs one load generator with its output to
# $T/timed.out, then prints "client_cpu% server_cpu%": each the share of one
# core it used over the run's wall time. On 2 cores a client near 100 % is
# the row's limit, not the server.
timed() {
  local pid=$1 t0 t1
  shift
  t0=$(cpu_ticks "$pid")
  /usr/bin/time -f '%U %S %e' -o "$T/time.out" "$@" >"$T/timed.out" 2>&1 \
    || { cat "$T/timed.out" >&2; exit 1; }
  t1=$(cpu_ticks "$pid")
  awk -v d=$((t1 - t0)) -v hz="$TICK" \
    'END { printf "%.0f %.0f\n", ($1 + $2) * 100 / $3, d / hz * 100 / $3 }' "$T/time.out"
}

# run LABEL PORT PATH BODY CLIENTS REQUESTS SERVER_PID [TOKEN]: one h2load
# run; prints "req/s mean_ms p99_ms succeeded client_cpu% server_cpu%".
run() {
  local label=$1 port=$2 path=$3 bodyf=$4 c=$5 n=$6 pid=$7 tok=${8:-}
  local log="$T/$label-$c.log" cpu
  local hdr=(-H 'content-type: application/grpc' -H 'te: trailers')
  [ -n "$tok" ] && hdr+=(-H "authorization: Bearer $tok")
  cpu=$(timed "$pid" h2load -n "$n" -c "$c" -m 1 -t 1 -d "$bodyf" "${hdr[@]}" --log-file="$log" \
    "http://127.0.0.1:$port$path") || exit 1
  python3 - "$T/timed.out" "$log" "$cpu" <<'EOF'
import re, sys
out = open(sys.argv[1]).read()
rate = float(re.search(r"finished in [\d.]+m?s, ([\d.]+) req/s", out).group(1))
ok = int(re.search(r"(\d+) succeeded", out).group(1))
lat = sorted(int(l.split("\t")[2]) for l in open(sys.argv[2]) if l.strip())
mean = sum(lat) / len(lat) / 1000.0
p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] / 1000.0
print("%.0f %.3f %.3f %d %s" % (rate, mean, p99, ok, sys.argv[3]))
EOF
}

# write MODE PORT CLIENTS REQUESTS START SERVER_PID [TOKEN]: one bench_h2
# run, request i = START.. carrying i; prints "req/s mean_ms p99_ms
# succeeded client_cpu% server_cpu%".
write() {
  local mode=$1 port=$2 c=$3 n=$4 start=$5 pid=$6 tok=${7:-} cpu
  local args=(--start "$start" --plan "$PLAN" --kode "$LEAF")
  [ -n "$tok" ] && args+=(--token "$tok")
  cpu=$(timed "$pid" "$BUILD/bench_h2" "$mode" "127.0.0.1:$port" "$c" "$n" "${args[@]}") || exit 1
  echo "$(tail -n 1 "$T/timed.out") $cpu"
}

mkdir -p "$T/raw"
RAW=$("$BUILD/bench_store" --raw-lmdb "$T/raw" | sed 's/.*: //')

rows=()
check_fail=0
start=1
for c in 1 8 64; do
  case $c in 1) n=$N1 ;; 8) n=$N8 ;; *) n=$N64 ;; esac
  h0=$(renja_head)
  e0=$(etcd_rev)
  rs=$(write renja-submit "$RPORT" "$c" "$n" "$start" "$RENJAD_PID" "$TOKEN")
  ep=$(write etcd-put "$EPORT" "$c" "$n" "$start" "$ETCD_PID")
  start=$((start + n))
  h1=$(renja_head)
  e1=$(etcd_rev)
  ack=$(echo "$rs" | awk '{ print $4 }')
  if [ $((h1 - h0)) != "$ack" ]; then
    echo "CHECK FAILED: $ack Submits acknowledged at $c clients, but $((h1 - h0)) revisions made" >&2
    check_fail=1
  fi
  eack=$(echo "$ep" | awk '{ print $4 }')
  if [ $((e1 - e0)) != "$eack" ]; then
    echo "CHECK FAILED: $eack etcd Puts acknowledged at $c clients, but $((e1 - e0)) revisions" >&2
    check_fail=1
  fi
  rows+=("Submit|Put|$c|$rs|$ep")
  rr=$(run show "$RPORT" /renja.v1.Renja/Show "$T/show.grpc" "$c" "$n" "$RENJAD_PID" "$TOKEN")
  er=$(run range "$EPORT" /etcdserverpb.KV/Range "$T/range.grpc" "$c" "$n" "$ETCD_PID")
  rows+=("Show|Range|$c|$rr|$er")
  rh=$(run health "$RPORT" /grpc.health.v1.Health/Check "$T/health.grpc" "$c" "$n" "$RENJAD_PID")
  rows+=("Health|Range|$c|$rh|$er")
done

rss() { awk '$1 == "VmHWM:" { printf "%.1f MiB", $2 / 1024 }' "/proc/$1/status"; }

echo "renjad vs etcd $(etcd --version | awk 'NR == 1 { print $3 }'), bench_h2 (Submit/Put) and h2load, one stream per client," \
  "$(nproc) cores; requests per row: $N1 / $N8 / $N64 at 1 / 8 / 64 clients"
printf '%-8s %-7s %7s | %8s %8s %8s %9s | %8s %8s %8s %9s | %6s\n' renja etcd clients \
  'req/s' 'mean ms' 'p99 ms' 'cpu c/s' 'req/s' 'mean ms' 'p99 ms' 'cpu c/s' ratio
for r in "${rows[@]}"; do
  IFS='|' read -r a b c x y <<<"$r"
  read -r xr xm xp _ xc xs <<<"$x"
  read -r yr ym yp _ yc ys <<<"$y"
  printf '%-8s %-7s %7s | %8s %8s %8s %9s | %8s %8s %8s %9s | %5.2fx\n' "$a" "$b" "$c" \
    "$xr" "$xm" "$xp" "$xc/$xs" "$yr" "$ym" "$yp" "$yc/$ys" \
    "$(echo "$xr $yr" | awk '{ print $1 / $2 }')"
done
echo "cpu c/s: % of one core used by the client (bench_h2 or h2load) / by the daemon over the row;"
echo "  $(nproc) cores in all: a client near 100 % limits its row however fast the daemon is"
echo "raw LMDB synced commits/s (1 writer, same disk): $RAW"
echo "peak RSS: renjad $(rss "$RENJAD_PID"), etcd $(rss "$ETCD_PID")"
if [ "$check_fail" = 0 ]; then
  echo "every acknowledged Submit became a revision; every acknowledged Put an etcd revision"
fi
exit "$check_fail"
