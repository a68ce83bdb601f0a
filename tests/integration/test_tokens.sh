#!/usr/bin/env bash
# Tokens: never in the daemon's log (a malformed authorization header gets a
# clear UNAUTHENTICATED, and its value is not logged), read from a token
# file, managed over the API by an admin, and stored only as hashes.
source "$(dirname "$0")/lib.sh"

D="$T/data"
"$RENJAD" init --data-dir "$D" >"$T/admin" 2>/dev/null
start_daemon "$D"
ADMIN=$(cat "$T/admin")
unset RENJA_TOKEN

# --- a malformed authorization header ------------------------------------
for kind in space tab cr; do
  case $kind in space) tail=" " ;; tab) tail=$'\t' ;; cr) tail=$'\r' ;; esac
  expect_exit "token with a trailing $kind: refused" 5 env RENJA_TOKEN="$ADMIN$tail" "$RENJA" plan list
  if grep -q "malformed authorization header" "$T/err"; then pass "trailing $kind: the client is told why"
  else fail "trailing $kind: stderr: $(cat "$T/err")"; fi
done
expect_exit "the daemon serves on" 0 env RENJA_TOKEN="$ADMIN" "$RENJA" plan list
hex=${ADMIN#rjt_}
check "the token never reaches the log" 0 "$(grep -c -e "$hex" -e "${hex:0:16}" "$D/renjad.log" || true)"
finish
