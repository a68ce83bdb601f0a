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

# --- tokens over the API --------------------------------------------------
export RENJA_TOKEN_FILE="$T/admin.tok"
"$RENJA" token add umkm --role editor --bidang "Bidang Pemberdayaan Usaha Kecil" >"$T/umkm.out" 2>"$T/umkm.err"
check "token add prints one line" 1 "$(wc -l <"$T/umkm.out")"
UMKM=$(cat "$T/umkm.out")
check "the line is the token" 1 "$([[ $UMKM =~ ^rjt_[0-9a-f]{64}$ ]] && echo 1 || echo 0)"
grep -q "shown only once" "$T/umkm.err" && pass "stderr says it is shown once" || fail "stderr: $(cat "$T/umkm.err")"
PLAN=$("$RENJA" token add perencana --role planner 2>/dev/null)
VIEW=$("$RENJA" token add tapd --role viewer 2>/dev/null)
check "the new token works" umkm "$("$RENJA" --token "$UMKM" --format json info | json 'j["identity"]["name"]')"
check "token list: name, role, bidang" "admin admin ;perencana planner ;tapd viewer ;umkm editor Bidang Pemberdayaan Usaha Kecil" \
  "$("$RENJA" --format json token list | json '";".join("%s %s %s" % (t["name"], t["role"], t["bidang"]) for t in j["tokens"])')"
"$RENJA" --format json token list >"$T/list.json"; "$RENJA" token list >>"$T/list.json"
check "token list never shows a secret" 0 "$(grep -c rjt_ "$T/list.json" || true)"
expect_exit "a second token of the same name" 1 "$RENJA" token add umkm --role viewer
expect_exit "an editor token without a bidang" 2 "$RENJA" token add x --role editor
expect_exit "an unknown role" 2 "$RENJA" token add x --role boss
for who in UMKM PLAN VIEW; do
  expect_exit "token add needs an admin ($who)" 5 "$RENJA" --token "${!who}" token add y --role viewer
  expect_exit "token list needs an admin ($who)" 5 "$RENJA" --token "${!who}" token list
  expect_exit "token revoke needs an admin ($who)" 5 "$RENJA" --token "${!who}" token revoke tapd
done
expect_exit "revoke an unknown token" 4 "$RENJA" token revoke nobody
# renjad token add on the host still works beside the running daemon.
HOSTTOK=$("$RENJAD" token add --data-dir "$D" --name host --role viewer 2>/dev/null)
expect_exit "a token made on the host works at once" 0 "$RENJA" --token "$HOSTTOK" plan list
expect_exit "revoke" 0 "$RENJA" token revoke umkm
expect_exit "a revoked token is refused on its next call" 5 "$RENJA" --token "$UMKM" info
grep -q "invalid or revoked token" "$T/err" && pass "the refusal says revoked" || fail "revoked: $(cat "$T/err")"
expect_exit "a revoked token cannot write" 5 "$RENJA" --token "$UMKM" plan list
check "token list no longer names it" "" "$("$RENJA" token list | awk '$1 == "umkm"')"
expect_exit "revoke the host-made token over the API" 0 "$RENJA" token revoke host
expect_exit "refused at once" 5 "$RENJA" --token "$HOSTTOK" plan list

# Secrets: hashes only in the store, never in the log.
for tok in "$ADMIN" "$UMKM" "$PLAN" "$VIEW" "$HOSTTOK"; do
  h=${tok#rjt_}
  check "store holds no secret ${tok:0:8}..." 0 "$(cat "$D"/*.mdb | grep -c -a -e "$h" -e "${h:0:24}" || true)"
  sum=$(printf '%s' "$tok" | sha256sum | cut -c1-64)
  if [ "$tok" != "$UMKM" ] && [ "$tok" != "$HOSTTOK" ]; then
    check "store holds the SHA-256 of ${tok:0:8}... (so the scan reads the file)" 1 "$(cat "$D"/*.mdb | grep -c -a "$sum" | head -1 | awk '{print ($1 > 0)}')"
  fi
  check "log holds no secret ${tok:0:8}..." 0 "$(grep -c -a -e "$h" -e "${h:0:24}" "$D/renjad.log" || true)"
done
stop_daemon && pass "the daemon stops cleanly"
finish
