#!/usr/bin/env bash
# A store of schema 1 (no stored roll-ups) opened by this build: it is
# upgraded once, the start says so (renjad's log when the daemon opens it,
# stderr when a `renjad token` command does), diffs give the figures they
# gave before, and the next start finds schema 2 and says nothing of it.
# The store is taken back to schema 1 with LMDB's own C library (ctypes):
# the rollups database emptied and meta "schema" set to 1. Its write-ahead
# log goes too: a daemon stopped cleanly leaves no records in it, but its
# header keeps the data file's meta pages as of the last checkpoint, and
# the next open would take the edit back to them.
source "$(dirname "$0")/lib.sh"

D="$T/data"
init_store "$D"
start_daemon "$D"
P=upgrade/2024
"$RENJA" plan create $P --nama "Dinas Contoh" >/dev/null
"$RENJA" set $P 2.17 nama=Urusan >/dev/null
"$RENJA" set $P 2.17.01 nama=Program bidang=Sekretariat >/dev/null
"$RENJA" set $P 2.17.01.1.01 nama=Kegiatan bidang=Sekretariat >/dev/null
"$RENJA" set $P 2.17.01.1.01.0001 nama="Sub kegiatan satu" bidang=Sekretariat pagu=125.000.000 >/dev/null
"$RENJA" set $P 2.17.01.1.01.0002 nama="Sub kegiatan dua" bidang=Sekretariat pagu=40.000.000 >/dev/null
"$RENJA" set $P 2.17.01.1.01.0001 pagu=100.000.000 >/dev/null
diffs() {
  "$RENJA" --format json diff $P 4 6 --all
  "$RENJA" --format json diff $P 5 6
  "$RENJA" --format json diff $P 1 head --by bidang
}
# totals FROM TO: the diff's Jumlah, pagu before and after
totals() {
  "$RENJA" --format json diff $P "$1" "$2" \
    | json '"%d %d" % (int(j["total"]["pagu_from"]), int(j["total"]["pagu_to"]))'
}
before=$(diffs)
check "the diff before the upgrade" "165000000 140000000" \
  "$(totals 5 6)"
stop_daemon

to_schema_1() {
  /usr/bin/python3 - "$1" <<'EOF'
import ctypes, sys
lib = ctypes.CDLL("liblmdb.so.0")
class Val(ctypes.Structure):
    _fields_ = [("mv_size", ctypes.c_size_t), ("mv_data", ctypes.c_void_p)]
def ok(rc, what):
    if rc != 0:
        sys.exit("%s: %s" % (what, ctypes.c_char_p(lib.mdb_strerror(rc)).value.decode()))
lib.mdb_strerror.restype = ctypes.c_void_p
env, txn = ctypes.c_void_p(), ctypes.c_void_p()
ok(lib.mdb_env_create(ctypes.byref(env)), "env create")
ok(lib.mdb_env_set_maxdbs(env, 8), "maxdbs")
ok(lib.mdb_env_open(env, sys.argv[1].encode(), 0, 0o600), "env open")
ok(lib.mdb_txn_begin(env, None, 0, ctypes.byref(txn)), "txn begin")
meta, rollups = ctypes.c_uint(), ctypes.c_uint()
ok(lib.mdb_dbi_open(txn, b"meta", 0, ctypes.byref(meta)), "open meta")
ok(lib.mdb_dbi_open(txn, b"rollups", 0, ctypes.byref(rollups)), "open rollups")
ok(lib.mdb_drop(txn, rollups, 0), "empty rollups")
k, v = ctypes.create_string_buffer(b"schema", 6), ctypes.create_string_buffer(b"1", 1)
kv = Val(6, ctypes.cast(k, ctypes.c_void_p))
vv = Val(1, ctypes.cast(v, ctypes.c_void_p))
ok(lib.mdb_put(txn, meta, ctypes.byref(kv), ctypes.byref(vv), 0), "put schema")
ok(lib.mdb_txn_commit(txn), "commit")
lib.mdb_env_close(env)
EOF
  rm -f "$1/renja.wal"
}

# A renjad command other than the daemon: the line goes to its stderr.
to_schema_1 "$D" || fail "could not take the store back to schema 1"
"$RENJAD" token list --data-dir "$D" >/dev/null 2>"$T/token.err" \
  || fail "renjad token list on a schema 1 store: $(cat "$T/token.err")"
grep -q "renjad: $D upgraded to schema 2: roll-ups computed for 1 plan(s)" "$T/token.err" \
  && pass "renjad token list says it upgraded the store" \
  || fail "no upgrade line from renjad token list: $(cat "$T/token.err")"
"$RENJAD" token list --data-dir "$D" >/dev/null 2>"$T/token2.err"
grep -q "upgraded" "$T/token2.err" && fail "a second open upgraded again: $(cat "$T/token2.err")" \
  || pass "a second open finds schema 2"

# The daemon: the line goes to its log.
to_schema_1 "$D" || fail "could not take the store back to schema 1"
from=$(($(stat -c %s "$D/renjad.log") + 1))
start_daemon "$D"
tail -c "+$from" "$D/renjad.log" | grep -q \
  "store upgraded to schema 2: roll-ups computed for 1 plan(s), diffs read them from their current head on" \
  && pass "renjad's log says the store was upgraded" \
  || fail "no upgrade line in renjad's log: $(tail -c "+$from" "$D/renjad.log")"
check "diffs after the upgrade give the figures of before" "$before" "$(diffs)"
"$RENJA" set $P 2.17.01.1.01.0002 pagu=50.000.000 >/dev/null
check "a diff across the upgrade and a later revision" "165000000 150000000" \
  "$(totals 5 7)"
stop_daemon
from=$(($(stat -c %s "$D/renjad.log") + 1))
start_daemon "$D"
tail -c "+$from" "$D/renjad.log" | grep -q "upgraded" \
  && fail "the start after the upgrade upgraded again" \
  || pass "the start after the upgrade finds schema 2"
check "and the diff still reads the same" "165000000 150000000" \
  "$(totals 5 7)"
stop_daemon
finish
