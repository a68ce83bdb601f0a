#!/usr/bin/env bash
# The main job: install what is needed, build, start renjad on ./var, load the
# example Renja (the 2024 Renja Perubahan of Dinas Koperasi dan UKM Provinsi
# Sumatera Selatan) and show what changed between APBD and APBD-P.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)"

VAR=$PWD/var
mkdir -p "$VAR"
# Stop a daemon left from an earlier run of this script.
if [ -f "$VAR/renjad.pid" ] && kill -0 "$(cat "$VAR/renjad.pid")" 2>/dev/null; then
  kill -TERM "$(cat "$VAR/renjad.pid")"
  while kill -0 "$(cat "$VAR/renjad.pid")" 2>/dev/null; do sleep 0.1; done
fi
rm -rf "$VAR/data"
# A new store; init prints its admin token once: keep it next to the data.
(umask 077 && ./build/renjad init --data-dir "$VAR/data" >"$VAR/admin.token")
SOCK=$VAR/data/renjad.sock
./build/renjad --data-dir "$VAR/data" --listen "unix:$SOCK" --listen 127.0.0.1:7024 \
  >>"$VAR/renjad.log" 2>&1 </dev/null &
echo $! >"$VAR/renjad.pid"
for _ in $(seq 1 100); do
  [ -S "$SOCK" ] && break
  kill -0 "$(cat "$VAR/renjad.pid")" 2>/dev/null || { tail -5 "$VAR/renjad.log" >&2; exit 1; }
  sleep 0.1
done

export RENJA=$PWD/build/renja
export RENJA_SERVER=unix:$SOCK
RENJA_TOKEN=$(cat "$VAR/admin.token")
export RENJA_TOKEN

echo "== renja health"
$RENJA health
echo "== renja info"
$RENJA --format table info
echo "== loading examples/diskopukm-sumsel-2024"
bash examples/diskopukm-sumsel-2024/load.sh
echo "== renja stage list diskopukm-sumsel/2024"
$RENJA --format table stage list diskopukm-sumsel/2024
echo "== renja diff diskopukm-sumsel/2024 apbd apbd-p --level program"
$RENJA --format table diff diskopukm-sumsel/2024 apbd apbd-p --level program
echo
echo "renjad keeps running on $RENJA_SERVER and 127.0.0.1:7024 (pid $(cat "$VAR/renjad.pid"), log $VAR/renjad.log)."
echo "Try:  export RENJA_SERVER=$RENJA_SERVER RENJA_TOKEN=\$(cat $VAR/admin.token)"
echo "      $RENJA diff diskopukm-sumsel/2024 apbd apbd-p"
echo "      $RENJA compare diskopukm-sumsel/2024 rancangan-apbd apbd perkada-1 perkada-8 rancangan-perubahan banggar apbd-p"
echo "      $RENJA eval diskopukm-sumsel/2024 --tw 2 --at apbd"
echo "Stop it (before another renjad takes 127.0.0.1:7024): kill \$(cat $VAR/renjad.pid)"
