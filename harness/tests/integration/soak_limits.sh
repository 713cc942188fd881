#!/bin/sh
# soak --minutes shorter than a round: the round is stopped at the limit
# and counted for nothing (never a full round past the limit, never "for 0
# minutes"); the summary counts harness errors apart from verdicts.
. "$(dirname "$0")/lib.sh"

start=$(date +%s)
expect_exit 1 "soak for 0.6 s of rounds that take longer" "$repro" soak --minutes 0.01 -L corpus --out "$TMPDIR/soak"
took=$(($(date +%s) - start))
expect_output "for 0.01 minutes"
expect_output "soak round 1: stopped at the time limit"
expect_output "soak: 0 rounds in"
expect_output "a round stopped at the time limit, not counted"
expect_output "harness errors (counted apart: never a verdict): 0"
[ "$took" -lt 30 ] && ok "it stopped at its limit ($took s)" || fail "it ran $took s for a limit of 0.6 s"
python3 - "$TMPDIR/soak/soak.json" <<'PY' && ok "soak.json says so" || fail "soak.json does not say the round stopped"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["rounds_stopped"] == 1 and d["rounds_run"] == 0 and d["harness_errors"] == 0, d
PY
expect_exit 2 "soak for less than 0.01 minutes" "$repro" soak --minutes 0.001 --out "$TMPDIR/soak2"
expect_output "at least 0.01"
expect_no_leftovers
finish
