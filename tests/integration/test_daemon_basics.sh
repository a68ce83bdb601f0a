#!/usr/bin/env bash
# The foundation through the real CLI: health and info over a Unix socket and
# TCP, tokens and roles, exit codes, init, SIGTERM.
source "$(dirname "$0")/lib.sh"

D="$T/data"
# init prints the token alone on stdout.
"$RENJAD" init --data-dir "$D" >"$T/init.out" 2>"$T/init.err"
check "init prints one line" 1 "$(wc -l <"$T/init.out")"
ADMIN=$(cat "$T/init.out")
check "token is long enough (>= 128 bits as hex)" 1 "$([ ${#ADMIN} -ge 32 ] && echo 1 || echo 0)"
expect_exit "init twice is refused" 1 "$RENJAD" init --data-dir "$D"
VIEWER=$("$RENJAD" token add --data-dir "$D" --name lihat --role viewer 2>/dev/null)
EDITOR=$("$RENJAD" token add --data-dir "$D" --name umkm --role editor --bidang "Bidang Pemberdayaan Usaha Kecil" 2>/dev/null)
expect_exit "token add: unknown role" 2 "$RENJAD" token add --data-dir "$D" --name x --role boss
expect_exit "token add: duplicate name" 1 "$RENJAD" token add --data-dir "$D" --name lihat --role viewer
"$RENJAD" token list --data-dir "$D" >"$T/tokens"
check "token list names every token" "admin lihat umkm" "$(cut -f1 "$T/tokens" | sort | tr '\n' ' ' | sed 's/ $//')"
if grep -q "$ADMIN" "$T/tokens"; then fail "token list shows a token"; else pass "token list hides tokens"; fi

start_daemon "$D"
export RENJA_TOKEN="$ADMIN"
check "health over unix" "SERVING" "$("$RENJA" --server "unix:$SOCK" health)"
check "health over tcp" "SERVING" "$("$RENJA" --server "$TCP" health)"
check "info identity over tcp" "admin" "$("$RENJA" --server "$TCP" --format json info | json 'j["identity"]["name"]')"
check "info version" "1" "$("$RENJA" --format json info | json '1 if j["version"] else 0')"
expect_exit "bad token" 5 "$RENJA" --token rjt_nonsense info
expect_exit "no token" 5 env -u RENJA_TOKEN "$RENJA" info
expect_exit "health needs no token" 0 env -u RENJA_TOKEN "$RENJA" health
expect_exit "nothing listens" 6 "$RENJA" --server "unix:$T/none.sock" health
expect_exit "nothing listens on tcp" 6 "$RENJA" --server 127.0.0.1:1 info
expect_exit "usage error" 2 "$RENJA" frobnicate
expect_exit "viewer cannot create a plan" 5 "$RENJA" --token "$VIEWER" plan create contoh/2024
expect_exit "editor cannot create a plan" 5 "$RENJA" --token "$EDITOR" plan create contoh/2024
expect_exit "admin creates a plan" 0 "$RENJA" plan create contoh/2024 --nama "Contoh"
check "viewer lists plans" "contoh/2024" "$("$RENJA" --token "$VIEWER" plan list | cut -f1)"
"$RENJAD" token revoke --data-dir "$D" --name lihat 2>/dev/null
expect_exit "revoked token refused while running" 5 "$RENJA" --token "$VIEWER" plan list
if grep -q "$ADMIN\|$EDITOR" "$D/renjad.log"; then fail "a token appears in the log"; else pass "no token in the log"; fi

# SIGTERM: exits 0.
stop_daemon && pass "SIGTERM exits 0" || fail "SIGTERM exit code"

finish
