#!/bin/sh
# A user's own program, not a case (no header, no DONE), through the version
# commands: `matrix -- PROGRAM` over 4.3.2 and 4.3.3 shows the #3792 hang on
# one and not the other, and `bisect -- PROGRAM` finds the commit that fixed
# it, 36a8df2f (PR #3794), as the case does; `check` on both builds says
# that the verdict changed between the versions and names that bisection. Needs upstream's sources
# (ZR_LIBZMQ_SOURCES, default ../shared/libzmq): skipped without them.
. "$(dirname "$0")/../integration/lib.sh"

sources=${ZR_LIBZMQ_SOURCES:-$source_dir/../shared/libzmq}
if [ ! -f "$sources/libzmq-to-v4.3.3.bundle" ] || [ ! -f "$sources/libzmq-4.3.2.tar.gz" ]; then
    echo "skipped: no libzmq-to-v4.3.3.bundle or libzmq-4.3.2.tar.gz in $sources (set ZR_LIBZMQ_SOURCES)"
    exit 77
fi
prog=$source_dir/harness/tests/progs/stop_before_first_socket.c
"$repro" build "$sources/libzmq-4.3.2.tar.gz" --flavour debug >/dev/null || fail "cannot build 4.3.2"
"$repro" build "$sources/libzmq-4.3.3.tar.gz" --flavour debug >/dev/null || fail "cannot build 4.3.3"

expect_exit 1 "check on two builds: the hang on 4.3.2 only" \
    "$repro" check -m stress -b 4.3.2-debug -b 4.3.3-debug --expect HANG:zmq_recv --timeout 2 --no-results -- "$prog"
expect_output "versions \[stress\]: the failure shows on 4.3.2-debug (libzmq 4.3.2), not on 4.3.3-debug (libzmq 4.3.3)"
expect_output "zmq-repro bisect --source LIBZMQ_GIT --from v4.3.2 --to v4.3.3 --looking-for fix -m stress --expect"

expect_exit 0 "matrix -- PROGRAM over 4.3.2 and 4.3.3" \
    "$repro" matrix -m stress -b 4.3.2-debug -b 4.3.3-debug -n 2 --expect HANG:zmq_recv --timeout 2 -o "$TMPDIR/m" \
    -- "$prog"
# The program's row: a column per version, the change at 4.3.3 said.
row=$(grep '^| \*\*program/stop_before_first_socket.c\*\*' "$TMPDIR/m/matrix.md" | head -n 1)
case $row in
*"changes at 4.3.3"*"| "*"stress: reproduced 2/2"*"HANG"*"| "*"stress: not reproduced 0/2"*) ok "4.3.2 reproduced, 4.3.3 not: $row" ;;
*) fail "the program's row: $row" ;;
esac

expect_exit 0 "bisect -- PROGRAM finds the fix of #3792" "$repro" bisect --source "$sources/libzmq-to-v4.3.3.bundle" \
    --from v4.3.2 --to v4.3.3 --looking-for fix -m stress -n 2 --expect HANG:zmq_recv --timeout 2 \
    --json "$TMPDIR/bisect.json" -- "$prog"
expect_output "first fixed commit: 36a8df2f8c822bbec8fb4d513a6def8d4896700e"
cat "$TMPDIR/out"
# The record of a program's bisection names the program as matrix's rows do, so that --bisect finds its row.
expect_exit 0 "merge --bisect with the program's record" "$repro" merge "$TMPDIR/shown" "$TMPDIR/m" --bisect "$TMPDIR/bisect.json"
grep -q "bisect: <a href=\"https://github.com/zeromq/libzmq/commit/36a8df2f8c822bbec8fb4d513a6def8d4896700e\"" \
    "$TMPDIR/shown/index.html" && ok "the program's row names the commit" || fail "the program's row does not name the commit"
expect_no_leftovers
finish
