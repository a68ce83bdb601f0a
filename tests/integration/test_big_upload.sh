#!/usr/bin/env bash
# Uploads of any size up to the message limit: a 26,000-item plan imported
# from CSV, exported as JSON and as CSV, and both exports imported into new
# plans, each well over the 256 KiB at which the client's send loop used to
# stop writing. A file that encodes beyond the server's limit is refused by
# the CLI before anything is sent, naming its size, the limit and the flag.
source "$(dirname "$0")/lib.sh"

N=26000
/usr/bin/python3 "$RENJA_SRC/tests/integration/gen_plan.py" "$N" >"$T/big.csv"
check "the generated plan has $N items" "$N" "$(($(wc -l <"$T/big.csv") - 1))"
# The first 6,000 rows: about 830 KiB of CSV, the size that hung first.
head -n 6001 "$T/big.csv" >"$T/mid.csv"

D="$T/data"
"$RENJAD" init --data-dir "$D" >"$D.token" 2>/dev/null
start_daemon "$D"
RENJA_TOKEN=$(cat "$D.token")
export RENJA_TOKEN
check "info tells the default limit" 4194304 \
  "$("$RENJA" --format json info | json 'j["max_message_bytes"]')"

# items PLAN: how many items the plan has at head.
items() { "$RENJA" --format json show "$1" | json 'len(j["items"])'; }

# timed NAME CMD...: run CMD with a bounded wait, print the seconds taken.
timed() {
  local name=$1; shift
  local t0 t1 rc=0
  t0=$(date +%s.%N)
  "$@" >"$T/out" 2>"$T/err" || rc=$?
  t1=$(date +%s.%N)
  if [ "$rc" == 0 ]; then pass "$name ($(printf '%.2f' "$(echo "$t1 - $t0" | bc)") s)"
  else fail "$name: exit $rc; stderr: $(head -c 500 "$T/err")"; fi
}

"$RENJA" plan create besar-mid/2024 >/dev/null
timed "import of 6,000 CSV rows ($(wc -c <"$T/mid.csv") bytes)" \
  "$RENJA" --timeout 60 import besar-mid/2024 "$T/mid.csv"
check "6,000 items arrived" 6000 "$(items besar-mid/2024)"

"$RENJA" plan create besar/2024 >/dev/null
timed "import of $N CSV rows ($(wc -c <"$T/big.csv") bytes)" \
  "$RENJA" --timeout 60 import besar/2024 "$T/big.csv"
check "$N items arrived" "$N" "$(items besar/2024)"

"$RENJA" export besar/2024 >"$T/export.json"
"$RENJA" --format csv export besar/2024 >"$T/export.csv"
"$RENJA" plan create besar-json/2024 >/dev/null
timed "import of the JSON export ($(wc -c <"$T/export.json") bytes)" \
  "$RENJA" --timeout 60 import besar-json/2024 "$T/export.json"
check "the JSON export imports back whole" "$N" "$(items besar-json/2024)"
"$RENJA" plan create besar-csv/2024 >/dev/null
timed "import of the CSV export ($(wc -c <"$T/export.csv") bytes)" \
  "$RENJA" --timeout 60 import besar-csv/2024 "$T/export.csv"
check "the CSV export imports back whole" "$N" "$(items besar-csv/2024)"
stop_daemon || fail "SIGTERM after the big uploads"

# renjad --max-message: bad values are usage errors.
expect_exit "--max-message not a number" 2 "$RENJAD" --data-dir "$D" --max-message 4MiB
expect_exit "--max-message below 64 KiB" 2 "$RENJAD" --data-dir "$D" --max-message 1000
expect_exit "--max-message above 1 GiB" 2 "$RENJAD" --data-dir "$D" --max-message 2000000000
if grep -q -- "--max-message" "$T/err"; then pass "the usage error names the flag"
else fail "usage error: $(cat "$T/err")"; fi

# A lower limit: what is over it is refused before sending, what is under
# it goes through.
start_daemon "$D" --max-message 1000000
check "info tells the limit given" 1000000 \
  "$("$RENJA" --format json info | json 'j["max_message_bytes"]')"
"$RENJA" plan create kecil/2024 >/dev/null
expect_exit "a file over the limit is refused" 1 "$RENJA" import kecil/2024 "$T/big.csv"
msg=$(cat "$T/err")
case "$msg" in
  "renja import: $T/big.csv encodes to a request of "*" bytes, over the limit of 1000000 bytes"*"nothing was sent"*"--max-message BYTES"*)
    pass "the refusal names the file, its size, the limit and the flag" ;;
  *) fail "refusal message: $msg" ;;
esac
if grep -q "Submit" "$D/renjad.log" && grep -q "exceeds the limit" "$D/renjad.log"; then
  fail "the request reached the daemon"
else pass "nothing reached the daemon"; fi
check "nothing was committed" 0 "$("$RENJA" --format json log kecil/2024 | json 'len(j["revisions"])')"
timed "a file under the limit goes through" "$RENJA" --timeout 60 import kecil/2024 "$T/mid.csv"
check "6,000 items arrived under the lower limit" 6000 "$(items kecil/2024)"
stop_daemon || fail "SIGTERM after the lower limit"
finish
