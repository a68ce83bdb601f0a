#!/usr/bin/env bash
# The CLI for people and scripts: help from the command table (renja help,
# COMMAND --help, -h), the man pages, docs/cli.md kept equal to the table,
# shell completion of commands, flags, plans and stages, diff --exit-code,
# --header and $RENJA_FORMAT.
source "$(dirname "$0")/lib.sh"
: "${RENJA_BUILD:?RENJA_BUILD must name the build directory}"
: "${RENJA_DOCGEN:?RENJA_DOCGEN must name renja-docgen}"

# --- help ---------------------------------------------------------------------------
"$RENJA" help >"$T/help"
check "renja -h is renja help" "" "$("$RENJA" -h | diff - "$T/help")"
check "renja --help is renja help" "" "$("$RENJA" --help | diff - "$T/help")"
"$RENJA" help diff >"$T/help-diff"
check "renja diff --help is renja help diff" "" "$("$RENJA" diff --help | diff - "$T/help-diff")"
check "renja diff -h is renja help diff" "" "$("$RENJA" diff -h | diff - "$T/help-diff")"
check "renja stage set -h" "1" \
  "$("$RENJA" stage set -h | head -1 | grep -c '^usage: renja stage set PLAN NAME \[--rev REV\]')"
check "help of a command has every flag with a sentence" "1" \
  "$(grep -c '^  --exit-code  *exit 8 when there are differences' "$T/help-diff")"
check "help of a command has a real example" "1" \
  "$(grep -c '^  renja diff diskopukm-sumsel/2024 apbd apbd-p$' "$T/help-diff")"
check "help of a topic" "Exit status" "$("$RENJA" help exit-codes | head -1)"
check "help of plan lists its subcommands" "4" "$("$RENJA" help plan | grep -c '^usage: renja plan ')"
expect_exit "help of nothing known is a usage error" 2 "$RENJA" help frobnicate
check "no help line is wider than 80 columns" "" \
  "$(for c in "" diff compare eval import set realisasi stage output; do "$RENJA" help $c; done |
     awk 'length($0) > 80 && $1 != "renja"')"

# --- man pages ----------------------------------------------------------------------
for page in renja.1 renjad.8; do
  f="$RENJA_BUILD/man/$page"
  if [ ! -s "$f" ]; then fail "$page was not generated"; continue; fi
  MANWIDTH=80 MANPAGER=cat man --warnings -l "$f" >"$T/man.txt" 2>"$T/man.err" || fail "man -l $page failed"
  check "man -l $page renders without warnings" "" "$(cat "$T/man.err")"
  title=$(echo "${page%.*}" | tr a-z A-Z)"(${page#*.})"
  check "man -l $page has its title" "1" "$(head -1 "$T/man.txt" | grep -c "^$title")"
done
MANWIDTH=80 MANPAGER=cat man -l "$RENJA_BUILD/man/renja.1" >"$T/man.txt" 2>/dev/null
# every command and subcommand, as the completion offers them
commands=$(RENJA_SERVER=unix:$T/none.sock "$RENJA" __complete '' | grep -vx help |
  while read -r c; do
    subs=$(RENJA_SERVER=unix:$T/none.sock "$RENJA" __complete "$c" '')
    if [ "$("$RENJA" help "$c" | grep -c "^usage: renja $c ")" -gt 1 ]; then
      for s in $subs; do echo "$c $s"; done
    else echo "$c"; fi
  done)
check "the table has its commands" "plan create|stage list|diff" \
  "$(echo "$commands" | grep -x -e 'plan create' -e 'stage list' -e diff | paste -sd'|')"
check "renja(1) documents every command of the table" "" \
  "$(echo "$commands" | while read -r c; do grep -q "^   $c\$" "$T/man.txt" || echo "missing $c"; done)"
check "renjad(8) documents every option of renjad --help" "" \
  "$("$RENJAD" --help | grep -o '^  --[a-z-]*' | while read -r o; do
       grep -q -- "^       $o" <(MANWIDTH=80 MANPAGER=cat man -l "$RENJA_BUILD/man/renjad.8" 2>/dev/null) || echo "missing $o"; done)"

# --- docs/cli.md is generated from the table -----------------------------------------
"$RENJA_DOCGEN" cli.md >"$T/cli.md"
check "docs/cli.md is up to date (regenerate: renja-docgen cli.md > docs/cli.md)" "" \
  "$(diff "$T/cli.md" "$RENJA_SRC/docs/cli.md" | head -20)"

# --- a plan with stages, for completion and diff -----------------------------------------
init_store "$T/data"
start_daemon "$T/data"
P=contoh/2024
"$RENJA" plan create $P --nama "Contoh" >/dev/null
"$RENJA" set $P 2.17 nama="Urusan Koperasi" >/dev/null
"$RENJA" set $P 2.17.01 nama="Program Penunjang" bidang=Sekretariat >/dev/null
"$RENJA" set $P 2.17.01.1.01 nama="Perencanaan" bidang=Sekretariat >/dev/null
"$RENJA" set $P 2.17.01.1.01.0001 nama="Penyusunan Dokumen" bidang=Sekretariat pagu=188.500.000 >/dev/null
"$RENJA" stage set $P apbd --rev 4 >/dev/null
"$RENJA" set $P 2.17.01.1.01.0001 pagu=150.000.000 >/dev/null
"$RENJA" stage set $P apbd-p --rev 5 >/dev/null
"$RENJA" stage set $P perkada-1 --rev 4 >/dev/null

# --- completion ---------------------------------------------------------------------
# complete_words WORD...: what bash's completion of renja offers for the last word.
complete_words() {
  bash -c 'source <("$RENJA" completion bash) || exit 9
           COMP_WORDS=("$RENJA" "$@"); COMP_CWORD=$#; _renja; printf "%s\n" "${COMPREPLY[@]}"' \
    _ "$@" | sort | tr '\n' ' '
}
check "bash completion script loads" "0" \
  "$(bash -c 'source <("$RENJA" completion bash) && complete -p renja >/dev/null; echo $?')"
check "complete a command" "compare completion " "$(complete_words comp)"
check "complete a subcommand" "set " "$(complete_words stage s)"
check "complete a plan id (from the server)" "contoh/2024 " "$(complete_words diff con)"
check "complete a stage name (from the server)" "apbd apbd-p " "$(complete_words diff $P ap)"
check "complete a stage name after --at" "perkada-1 " "$(complete_words eval $P --tw 2 --at per)"
check "complete a flag" "--exit-code " "$(complete_words diff $P apbd apbd-p --exi)"
check "complete a flag's values" "bidang " "$(complete_words diff $P apbd apbd-p --by bi)"
check "complete the shells" "bash zsh " "$(complete_words completion '')"
check "complete a one-letter flag" "1" "$(complete_words report $P - | tr ' ' '\n' | grep -cx -- -o)"
check "a one-letter flag takes its value" "--force " "$(complete_words report $P -o r.xlsx --forc)"
check "completion without a server offers commands" "health " \
  "$(RENJA_SERVER=unix:$T/none.sock complete_words hea)"
check "completion without a server is quiet" "" \
  "$(RENJA_SERVER=unix:$T/none.sock "$RENJA" __complete diff '' 2>&1)"
"$RENJA" completion zsh >"$T/zsh"
check "zsh completion script defines _renja" "1" "$(grep -c '^_renja() {' "$T/zsh" || true)"
if command -v zsh >/dev/null; then
  check "zsh completion script parses" "0" "$(zsh -n "$T/zsh"; echo $?)"
fi
expect_exit "completion of another shell" 2 "$RENJA" completion fish

# --- diff --exit-code -----------------------------------------------------------------
expect_exit "diff --exit-code with changes" 8 "$RENJA" diff $P apbd apbd-p --exit-code
check "diff --exit-code still prints the diff" "1" "$(grep -c '^2.17.01.1.01.0001' "$T/out")"
expect_exit "diff --exit-code without changes" 0 "$RENJA" diff $P apbd perkada-1 --exit-code
expect_exit "diff without --exit-code" 0 "$RENJA" diff $P apbd apbd-p
expect_exit "diff --exit-code of an unknown stage is a failure, not a difference" 4 \
  "$RENJA" diff $P apbd nothing --exit-code
expect_exit "diff --exit-code, json" 8 "$RENJA" --format json diff $P apbd apbd-p --exit-code

# --- --header and RENJA_FORMAT -----------------------------------------------------------
check "tsv has no header" "apbd" "$("$RENJA" stage list $P | head -1 | cut -f1)"
check "tsv --header" "name rev" "$("$RENJA" --header stage list $P | head -1 | cut -f1,2 | tr '\t' ' ')"
check "tsv --header: one more line" "4" "$("$RENJA" stage list $P --header | wc -l)"
check "RENJA_FORMAT=json" "apbd" "$(RENJA_FORMAT=json "$RENJA" stage list $P | json 'j["stages"][0]["name"]')"
check "--format wins over RENJA_FORMAT" "apbd" "$(RENJA_FORMAT=json "$RENJA" --format tsv stage list $P | head -1 | cut -f1)"
expect_exit "RENJA_FORMAT of an unknown format" 2 env RENJA_FORMAT=xml "$RENJA" stage list $P
check "RENJA_FORMAT error names the variable" "1" "$(grep -c 'RENJA_FORMAT=xml' "$T/err")"

finish
