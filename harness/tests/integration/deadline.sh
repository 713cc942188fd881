#!/bin/sh
# A client that ends just as its watchdog fires (the stack tool then finds
# no process) is judged by its exit or as a hang, never as a harness error.
. "$(dirname "$0")/lib.sh"

i=0
while [ $i -lt 10 ]; do
    "$repro" check -t ipc -m stress --stall off --timeout 0.3 --expect clean --no-results -q -- \
        "$progs/sleep_then_exit" '{endpoint}' $((300 + i * 8)) >"$TMPDIR/out" 2>&1
    rc=$?
    if [ $rc -eq 2 ]; then fail "exit at the deadline ($((300 + i * 8)) ms) gave a harness error"; sed 's/^/    /' "$TMPDIR/out"; fi
    i=$((i + 1))
done
[ "$failures" -eq 0 ] && ok "10 exits around the deadline: no harness error"
expect_no_leftovers
finish
