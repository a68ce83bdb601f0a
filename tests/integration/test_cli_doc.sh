#!/usr/bin/env bash
# docs/cli.md carries `renja help` and every command's help word for word.
source "$(dirname "$0")/lib.sh"
if /usr/bin/python3 "$RENJA_SRC/scripts/cli-doc.py" "$RENJA" --check; then pass "docs/cli.md matches renja help"
else fail "docs/cli.md differs from renja help"; fi
finish
