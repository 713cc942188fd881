#!/bin/sh
# SIGINT or SIGTERM to run or bench: the children are stopped, what finished
# is kept, the rest is marked interrupted, nothing is left behind.
. "$(dirname "$0")/lib.sh"

# bench: one fixed case finishes its attempts, then the interrupt comes
# during the second case.
"$repro" bench hang-at-shutdown/fixed_bounded_linger shared-socket/fixed_single_owner_poll -m stress -n 3 -t ipc \
    --json "$TMPDIR/figures.json" >"$TMPDIR/out" 2>"$TMPDIR/progress" &
runner=$!
wait_for_line "$TMPDIR/progress" '\[2/2\]' || fail "bench never reached its second case"
kill -INT $runner
wait $runner
rc=$?
[ $rc -eq 130 ] && ok "bench interrupted: exit 130" || fail "bench interrupted: exit $rc, wanted 130"
if python3 -c "
import json, sys
d = json.load(open('$TMPDIR/figures.json'))
assert d['interrupted'] is True, 'not marked interrupted'
rows = {r['case']: r for r in d['cases']}
assert rows['hang-at-shutdown/fixed_bounded_linger']['attempts'] == 3, 'the finished case lost its figures'
" 2>"$TMPDIR/py.err"; then ok "the figures of what finished are kept, marked interrupted"
else fail "the bench JSON: $(cat "$TMPDIR/py.err")"; fi
expect_no_leftovers

# run: SIGTERM during the second case; the first one's result is kept.
"$repro" run hang-at-shutdown/fixed_bounded_linger shared-socket/fixed_single_owner_poll -m stress -n 3 -t ipc \
    -r "$results" >"$TMPDIR/out" 2>&1 &
runner=$!
wait_for_line "$TMPDIR/out" 'fixed_single_owner_poll \[stress\]' || fail "run never reached its second case"
kill -TERM $runner
wait $runner
rc=$?
[ $rc -eq 143 ] && ok "run terminated: exit 143" || fail "run terminated: exit $rc, wanted 143"
n=$(ls "$results" 2>/dev/null | grep -c 'fixed_bounded_linger')
[ "$n" -eq 1 ] && ok "the finished case's result is kept" || fail "results kept: $(ls "$results" 2>/dev/null)"
expect_no_leftovers
finish
