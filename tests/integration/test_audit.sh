#!/usr/bin/env bash
# Audit: every revision records the token's name, role and bidang, where the
# call came from (TCP peer, or the Unix socket peer's uid and pid) and when;
# a planner's lock, unlock and stage set are recorded as plan events.
source "$(dirname "$0")/lib.sh"

D="$T/data"
"$RENJAD" init --data-dir "$D" >"$T/admin" 2>/dev/null
start_daemon "$D"
unset RENJA_TOKEN
umask 077
cp "$T/admin" "$T/admin.tok"
export RENJA_TOKEN_FILE="$T/admin.tok"
"$RENJA" token add perencana --role planner >"$T/planner.tok" 2>/dev/null
"$RENJA" token add umkm --role editor --bidang "Bidang UKM" >"$T/umkm.tok" 2>/dev/null
P=audit/2024
"$RENJA" --server "$TCP" --token-file "$T/planner.tok" plan create $P >/dev/null
"$RENJA" --server "$TCP" --token-file "$T/planner.tok" set $P 2.17 nama=Urusan >/dev/null
"$RENJA" --server "$TCP" --token-file "$T/planner.tok" set $P 2.17.08 nama=UMKM bidang="Bidang UKM" >/dev/null
"$RENJA" --token-file "$T/umkm.tok" set $P 2.17.08 lokasi=Sumsel >/dev/null
"$RENJA" --server "$TCP" --token-file "$T/planner.tok" plan lock $P --reason "penetapan APBD" >/dev/null
"$RENJA" --token-file "$T/planner.tok" plan unlock $P >/dev/null
"$RENJA" --token-file "$T/planner.tok" stage set $P apbd --rev 2 --title "APBD 2024" >/dev/null

"$RENJA" --format json log $P >"$T/log.json"
uid=$(id -u)
check "revision 2: planner over TCP" "perencana planner  tcp 127.0.0.1" \
  "$(json '[("%s %s %s %s" % (r["author"], r["role"], r["bidang"], r["client"].rsplit(":",1)[0])) for r in j["revisions"] if r["rev"] == 2][0]' <"$T/log.json")"
check "revision 3: editor over the Unix socket, with its uid" "umkm editor Bidang UKM unix uid $uid" \
  "$(json '[("%s %s %s %s" % (r["author"], r["role"], r["bidang"], r["client"].rsplit(" pid ",1)[0])) for r in j["revisions"] if r["rev"] == 3][0]' <"$T/log.json")"
check "the Unix peer's pid is recorded" 1 "$(json '[r["client"] for r in j["revisions"] if r["rev"] == 3][0]' <"$T/log.json" | grep -cE ' pid [0-9]+$')"
check "every revision carries its time" "$(json 'len(j["revisions"])' <"$T/log.json")" \
  "$(json 'len([r for r in j["revisions"] if r["time"].startswith("20")])' <"$T/log.json")"
check "the table shows role and client" 1 "$("$RENJA" --format table log $P | grep -c 'umkm.*editor.*unix uid')"

"$RENJA" --format json log $P --events >"$T/ev.json"
check "events: stage set, unlock, lock (newest first)" "stage set|unlock|lock" \
  "$(json '"|".join(e["action"] for e in j["events"])' <"$T/ev.json")"
check "lock: who, role, reason, from TCP" "perencana planner penetapan APBD tcp" \
  "$(json '[("%s %s %s %s" % (e["author"], e["role"], e["detail"], e["client"].split()[0])) for e in j["events"] if e["action"] == "lock"][0]' <"$T/ev.json")"
check "unlock from the Unix socket, with the uid" "perencana unix uid $uid" \
  "$(json '[("%s %s" % (e["author"], e["client"].rsplit(" pid ",1)[0])) for e in j["events"] if e["action"] == "unlock"][0]' <"$T/ev.json")"
check "stage set names the stage and revision" "apbd at rev 2" \
  "$(json '[e["detail"] for e in j["events"] if e["action"] == "stage set"][0]' <"$T/ev.json")"
check "events carry a time" 3 "$(json 'len([e for e in j["events"] if e["time"]])' <"$T/ev.json")"
check "events --limit 1" 1 "$("$RENJA" log $P --events --limit 1 | wc -l)"
expect_exit "--events takes no KODE" 2 "$RENJA" log $P 2.17 --events
# Refused acts leave no event.
expect_exit "an editor cannot lock" 5 "$RENJA" --token-file "$T/umkm.tok" plan lock $P
check "a refused lock is no event" 3 "$("$RENJA" log $P --events | wc -l)"
finish
