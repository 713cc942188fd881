#!/bin/sh
# A user's own program (no case header) through the commands that run cases:
# `bench|matrix|run -- PROGRAM ARGS` judge it as check does, with check's
# options; the commands that cannot take one say so.
. "$(dirname "$0")/lib.sh"

# A program that shares one socket between two threads, under a name with a blank.
prog="$TMPDIR/my shared.c"
cp "$source_dir/harness/tests/fixtures/src/churn.c" "$prog"

expect_exit 0 "bench -- PROGRAM" "$repro" bench -m owner -n 2 --server echo --expect SHARED_SOCKET \
    -j "$TMPDIR/b.json" -- "$prog" '{endpoint}' 2 1000
expect_output "program/my shared.c"
python3 -c "
import json; d = json.load(open('$TMPDIR/b.json'))
c = d['cases'][0]; assert c['case'] == 'program/my shared.c', c['case']; assert c['rate'] == 1.0, c
" 2>"$TMPDIR/py.err" && ok "the figures name the program, reproduced 2/2" || fail "bench JSON: $(cat "$TMPDIR/py.err")"
expect_exit 0 "matrix -- PROGRAM (its cells are the runner's children, given the same program)" \
    "$repro" matrix -m owner -b system -n 1 --server echo --expect SHARED_SOCKET -o "$TMPDIR/m" -- "$prog" '{endpoint}' 2 1000
grep -q "program/my shared.c\*\*.* owner: reproduced 1/1, .*SHARED_SOCKET" "$TMPDIR/m/matrix.md" && ok "the matrix says reproduced" ||
    fail "matrix.md: $(grep program/ "$TMPDIR/m/matrix.md")"
expect_exit 0 "run -- PROGRAM" "$repro" run -m owner -n 1 --no-results --server echo --expect SHARED_SOCKET -- "$prog" '{endpoint}' 2 1000
expect_output "PASS program/my shared.c \[owner on system\]"

expect_exit 2 "bundle -- PROGRAM is refused" "$repro" bundle -- "$prog"
expect_output "bundle takes cases, not -- PROGRAM"
expect_exit 2 "-- with no program" "$repro" bench -m owner --
expect_output "'--' needs a PROGRAM"
expect_exit 2 "--expect without a program" "$repro" matrix -b system --expect clean shared-socket/fixed_single_owner_poll
expect_output "--expect judges a program"
expect_exit 2 "cases and a program" "$repro" bench shared-socket/fixed_single_owner_poll -- "$prog"
expect_output "give cases or -- PROGRAM ARGS, not both"
expect_exit 2 "no such program" "$repro" bench -m owner -- "$TMPDIR/nothing-here"
expect_output "no program"
expect_no_leftovers
finish
