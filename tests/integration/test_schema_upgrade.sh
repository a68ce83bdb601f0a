#!/usr/bin/env bash
# A store of an older schema opened by this build: schema 1 (no stored
# roll-ups, no group sums) and schema 2 (no group sums). It is upgraded
# once, the start says so (renjad's log when the daemon opens it, stderr
# when a `renjad token` command does), diffs (by bidang and sumber dana
# too) give the figures they gave before, and the next start finds schema
# 3 and says nothing of it. The store is taken back with LMDB's own C
# library (ctypes): the databases that schema did not have emptied (rollups
# and groups for 1, groups for 2) and meta "schema" set. Its write-ahead
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
"$RENJA" set $P 2.17.01.1.01.0001 nama="Sub kegiatan satu" bidang=Sekretariat pagu=125.000.000 \
  sumber-dana=PAD >/dev/null
"$RENJA" set $P 2.17.01.1.01.0002 nama="Sub kegiatan dua" bidang=Sekretariat pagu=40.000.000 >/dev/null
"$RENJA" set $P 2.17.01.1.01.0001 pagu=100.000.000 >/dev/null
diffs() {
  "$RENJA" --format json diff $P 4 6 --all
  "$RENJA" --format json diff $P 5 6
  "$RENJA" --format json diff $P 1 head --by bidang
  "$RENJA" --format json diff $P 5 6 --by bidang
  "$RENJA" --format json diff $P 4 head --by sumber-dana
}
# totals FROM TO: the diff's Jumlah, pagu before and after
totals() {
  "$RENJA" --format json diff $P "$1" "$2" \
    | json '"%d %d" % (int(j["total"]["pagu_from"]), int(j["total"]["pagu_to"]))'
}
# groups FROM TO BY: each group's key, pagu before and after
groups() {
  "$RENJA" --format json diff $P "$1" "$2" --by "$3" \
    | json '" ".join("%s %d %d" % (g["key"], int(g["pagu_from"]), int(g["pagu_to"])) for g in j["groups"])'
}
before=$(diffs)
check "the diff before the upgrade" "165000000 140000000" "$(totals 5 6)"
check "by sumber dana before the upgrade" "(tanpa sumber dana) 40000000 40000000 PAD 125000000 100000000" \
  "$(groups 5 6 sumber-dana)"
stop_daemon

# to_schema DIR N: the store in DIR back to schema N (1 or 2)
to_schema() {
  /usr/bin/python3 - "$1" "$2" <<'EOF'
import ctypes, sys
lib = ctypes.CDLL("liblmdb.so.0")
class Val(ctypes.Structure):
    _fields_ = [("mv_size", ctypes.c_size_t), ("mv_data", ctypes.c_void_p)]
def ok(rc, what):
    if rc != 0:
        sys.exit("%s: %s" % (what, ctypes.c_char_p(lib.mdb_strerror(rc)).value.decode()))
lib.mdb_strerror.restype = ctypes.c_void_p
schema = sys.argv[2].encode()
env, txn = ctypes.c_void_p(), ctypes.c_void_p()
ok(lib.mdb_env_create(ctypes.byref(env)), "env create")
ok(lib.mdb_env_set_maxdbs(env, 16), "maxdbs")
ok(lib.mdb_env_open(env, sys.argv[1].encode(), 0, 0o600), "env open")
ok(lib.mdb_txn_begin(env, None, 0, ctypes.byref(txn)), "txn begin")
meta = ctypes.c_uint()
ok(lib.mdb_dbi_open(txn, b"meta", 0, ctypes.byref(meta)), "open meta")
for name in [b"rollups", b"groups"] if schema == b"1" else [b"groups"]:
    dbi = ctypes.c_uint()
    ok(lib.mdb_dbi_open(txn, name, 0, ctypes.byref(dbi)), "open " + name.decode())
    ok(lib.mdb_drop(txn, dbi, 0), "empty " + name.decode())
k, v = ctypes.create_string_buffer(b"schema", 6), ctypes.create_string_buffer(schema, 1)
kv = Val(6, ctypes.cast(k, ctypes.c_void_p))
vv = Val(1, ctypes.cast(v, ctypes.c_void_p))
ok(lib.mdb_put(txn, meta, ctypes.byref(kv), ctypes.byref(vv), 0), "put schema")
ok(lib.mdb_txn_commit(txn), "commit")
lib.mdb_env_close(env)
EOF
  rm -f "$1/renja.wal"
}

what_of() { [ "$1" = 1 ] && echo "roll-ups and group sums" || echo "group sums"; }

# A renjad command other than the daemon: the line goes to its stderr.
for from in 1 2; do
  to_schema "$D" $from || fail "could not take the store back to schema $from"
  "$RENJAD" token list --data-dir "$D" >/dev/null 2>"$T/token.err" \
    || fail "renjad token list on a schema $from store: $(cat "$T/token.err")"
  grep -qF "renjad: $D upgraded from schema $from to 3: $(what_of $from) computed for 1 plan(s)" \
    "$T/token.err" \
    && pass "renjad token list says it upgraded the store from schema $from" \
    || fail "no upgrade line from renjad token list: $(cat "$T/token.err")"
  "$RENJAD" token list --data-dir "$D" >/dev/null 2>"$T/token2.err"
  grep -q "upgraded" "$T/token2.err" && fail "a second open upgraded again: $(cat "$T/token2.err")" \
    || pass "a second open finds schema 3"
done

# The daemon: the line goes to its log; the diffs read as before, and a
# revision after the upgrade is diffed against one from before it.
head=6
for from in 1 2; do
  to_schema "$D" $from || fail "could not take the store back to schema $from"
  at=$(($(stat -c %s "$D/renjad.log") + 1))
  start_daemon "$D"
  tail -c "+$at" "$D/renjad.log" | grep -qF "store upgraded from schema $from to 3: \
$(what_of $from) computed for 1 plan(s), diffs read them from their current head on" \
    && pass "renjad's log says the store was upgraded from schema $from" \
    || fail "no upgrade line in renjad's log: $(tail -c "+$at" "$D/renjad.log")"
  check "diffs after the upgrade from schema $from give the figures of before" "$before" "$(diffs)"
  head=$((head + 1))
  "$RENJA" set $P 2.17.01.1.01.0002 pagu=$((head * 10)).000.000 >/dev/null
  to=$((100 + head * 10))000000
  check "a diff across the upgrade and a later revision" "165000000 $to" "$(totals 5 $head)"
  check "by bidang across the upgrade" "Sekretariat 165000000 $to" "$(groups 5 $head bidang)"
  check "by sumber dana across the upgrade" \
    "(tanpa sumber dana) 40000000 $((head * 10))000000 PAD 125000000 100000000" \
    "$(groups 5 $head sumber-dana)"
  stop_daemon
  at=$(($(stat -c %s "$D/renjad.log") + 1))
  start_daemon "$D"
  tail -c "+$at" "$D/renjad.log" | grep -q "upgraded" \
    && fail "the start after the upgrade upgraded again" \
    || pass "the start after the upgrade finds schema 3"
  check "and the diff still reads the same" "165000000 $to" "$(totals 5 $head)"
  before=$(diffs) # the next round's store has this revision too
  stop_daemon
done
finish
