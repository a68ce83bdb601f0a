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

# --- token files ------------------------------------------------------------
printf '%s\n' "$ADMIN" >"$T/admin.tok"
chmod 600 "$T/admin.tok"
expect_exit "--token-file FILE" 0 "$RENJA" --token-file "$T/admin.tok" info
check "--token-file: who the daemon sees" admin "$("$RENJA" --token-file "$T/admin.tok" --format json info | json 'j["identity"]["name"]')"
expect_exit "\$RENJA_TOKEN_FILE" 0 env RENJA_TOKEN_FILE="$T/admin.tok" "$RENJA" info
printf '%s\r\n' "$ADMIN" >"$T/crlf.tok"; chmod 400 "$T/crlf.tok"
expect_exit "a token file with CRLF" 0 "$RENJA" --token-file "$T/crlf.tok" info
for mode in 640 604 644 660; do
  chmod $mode "$T/admin.tok"
  expect_exit "token file mode $mode refused" 2 "$RENJA" --token-file "$T/admin.tok" info
  if grep -q "too open" "$T/err" && grep -q "chmod 600" "$T/err"; then pass "mode $mode: says why and how"; else fail "mode $mode: $(cat "$T/err")"; fi
  expect_exit "\$RENJA_TOKEN_FILE mode $mode refused" 2 env RENJA_TOKEN_FILE="$T/admin.tok" "$RENJA" info
done
chmod 600 "$T/admin.tok"
expect_exit "a missing token file" 2 "$RENJA" --token-file "$T/nope" info
grep -q "$T/nope" "$T/err" && pass "the missing file is named" || fail "missing: $(cat "$T/err")"
: >"$T/empty.tok"; chmod 600 "$T/empty.tok"
expect_exit "an empty token file" 2 "$RENJA" --token-file "$T/empty.tok" info
expect_exit "--token wins over \$RENJA_TOKEN_FILE" 5 env RENJA_TOKEN_FILE="$T/admin.tok" "$RENJA" --token rjt_00 info
expect_exit "health needs no token file" 0 "$RENJA" --token-file "$T/nope" health
finish
