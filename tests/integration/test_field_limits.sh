#!/usr/bin/env bash
# Request string fields: each has its limit from one table (common/rj_limits.h):
# names, ids and refs are at most RJ_FIELD_MAX (200) bytes, with a message
# naming the field, its length and the limit; free text (a plan's nama, a
# lock's reason, a revision's message) is bounded by the message limit only.
source "$(dirname "$0")/lib.sh"

D="$T/data"
init_store "$D"
start_daemon "$D"
P=diskopukm-sumsel/2024
long() { head -c "$1" /dev/zero | tr '\0' "$2"; }

expect_exit "a plan with a 5,000-byte nama" 0 "$RENJA" plan create "$P" --nama "$(long 5000 n)"
expect_exit "a lock with a 5,000-byte reason" 0 "$RENJA" plan lock "$P" --reason "$(long 5000 r)"
expect_exit "unlock" 0 "$RENJA" plan unlock "$P"

expect_exit "a 200-byte token name: the limit itself passes the field check" 1 \
  "$RENJA" token add "$(long 200 a)" --role viewer
if grep -q "token name must be 1..128 characters" "$T/err"; then pass "200 bytes: judged by the store's rule"
else fail "200 bytes: $(head -c 300 "$T/err")"; fi
expect_exit "a 201-byte token name: refused on arrival" 1 "$RENJA" token add "$(long 201 a)" --role viewer
if grep -q "AddTokenRequest.name is 201 bytes long; at most 200 expected" "$T/err"; then
  pass "it names the field, its length and the limit"
else fail "201 bytes: $(head -c 300 "$T/err")"; fi
expect_exit "a 201-byte bidang: refused on arrival" 1 \
  "$RENJA" token add umkm --role editor --bidang "$(long 201 b)"
if grep -q "AddTokenRequest.bidang is 201 bytes long; at most 200 expected" "$T/err"; then
  pass "bidang: named with its limit"
else fail "bidang: $(head -c 300 "$T/err")"; fi
expect_exit "a 201-byte ref: refused on arrival" 1 "$RENJA" show "$P" --at "$(long 201 x)"
if grep -q "ShowRequest.at is 201 bytes long; at most 200 expected" "$T/err"; then
  pass "at: named with its limit"
else fail "at: $(head -c 300 "$T/err")"; fi
expect_exit "the daemon serves on" 0 "$RENJA" plan list
finish
