#!/usr/bin/env bash
# The round trip of test_roundtrip.sh at 26,000 items (a generated plan,
# tests/integration/gen_roundtrip_plan.py): CSV and JSON exports import
# into new plans, export again to the same files and evaluate identically.
export ROUNDTRIP_ITEMS=26000
exec bash "$(dirname "$0")/test_roundtrip.sh"
