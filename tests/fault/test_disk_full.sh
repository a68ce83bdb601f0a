#!/usr/bin/env bash
# A full disk is named as what it is: the data dir on a 3 MiB tmpfs, fat
# revisions written until it is full. The writer that does not fit gets
# RESOURCE_EXHAUSTED "disk full on DATA_DIR" (not INTERNAL "Input/output
# error"), the daemon says so once in its log (not once per batch), keeps
# serving reads, writes again once space is freed, and every acknowledged
# revision is there after a restart.
#
# Mounting needs root, or an unprivileged user namespace: without root the
# test runs itself inside one (unshare -rm).
if [ "$(id -u)" != 0 ] && [ -z "${RJ_IN_USERNS:-}" ]; then
  exec unshare -rm env RJ_IN_USERNS=1 bash "$0" "$@"
fi
. "$(dirname "$0")/../integration/lib.sh"

MNT="$T/mnt"
mkdir -p "$MNT"
mount -t tmpfs -o size=3m tmpfs "$MNT"
unmount() {
  if [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
    kill -TERM "$DAEMON_PID" 2>/dev/null || true
    wait "$DAEMON_PID" 2>/dev/null || true
  fi
  DAEMON_PID=""
  umount "$MNT" 2>/dev/null || true
  cleanup
}
trap unmount EXIT
# Room to free later, once the disk is full.
head -c 1000000 /dev/zero >"$MNT/filler"
DIR="$MNT/d"
init_store "$DIR"
start_daemon "$DIR"
"$RENJA" plan create uji-penuh/2024 --nama "Dinas Uji" >/dev/null

fat() { head -c 30000 /dev/zero | tr '\0' "$1"; }
acked=0
full_rc=""
t0=$(date +%s.%N)
for i in $(seq 1 300); do
  rc=0
  "$RENJA" set uji-penuh/2024 2.17 nama="$(fat a)$i" --message "isi-$i" >"$T/out" 2>"$T/err" || rc=$?
  if [ "$rc" != 0 ]; then full_rc=$rc; break; fi
  acked=$((acked + 1))
done
echo "note: $acked fat revisions acknowledged before the disk was full ($(echo "$(date +%s.%N) - $t0" | bc) s)"
check "a write on the full disk fails with exit 1 (refused)" 1 "$full_rc"
if grep -q "disk full on $DIR" "$T/err"; then pass "it says: $(cat "$T/err")"
else fail "expected 'disk full on $DIR', got: $(cat "$T/err")"; fi
for i in 1 2 3; do
  expect_exit "another fat write on the full disk is refused" 1 \
    "$RENJA" set uji-penuh/2024 2.17 nama="$(fat b)$i"
done
check "the daemon logs the full disk once, not once per batch" 1 \
  "$(grep -c "disk full on $DIR" "$DIR/renjad.log")"
check "no 'Input/output error' in the log" 0 "$(grep -ci "input/output error" "$DIR/renjad.log" || true)"
expect_exit "reads are served meanwhile" 0 "$RENJA" info
n=$("$RENJA" --format tsv log uji-penuh/2024 | wc -l)
check "every acknowledged revision is readable on the full disk" "$acked" "$n"

rm "$MNT/filler"
expect_exit "once space is freed the next write succeeds" 0 \
  "$RENJA" set uji-penuh/2024 2.17 nama="$(fat c)" --message "setelah"
acked=$((acked + 1))
check "the log says writes succeed again" 1 "$(grep -c "writes succeed again" "$DIR/renjad.log")"
rc=0
stop_daemon || rc=$?
check "SIGTERM exits 0" 0 "$rc"
start_daemon "$DIR"
n=$("$RENJA" --format tsv log uji-penuh/2024 | wc -l)
check "after a restart every acknowledged revision is there ($acked)" "$acked" "$n"
check "the last one too" "setelah" "$("$RENJA" --format tsv log uji-penuh/2024 --limit 1 | cut -f6)"
finish
