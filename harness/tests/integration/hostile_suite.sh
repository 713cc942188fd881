#!/bin/sh
# check --suite with the known libzmq bugs joins two suppression files. A
# file named supp'$(touch X)'.txt is read as a file, never run by a shell;
# one that cannot be read stops the suite with exit 2, instead of a suite
# that runs and claims the known bugs suppressed.
. "$(dirname "$0")/lib.sh"

work=$TMPDIR/work
mkdir -p "$work"
supp="$work/supp'\$(touch X)'.txt"
cp "$source_dir/harness/tsan/suppressions.txt" "$supp"
cd "$work" || exit 2
expect_exit 0 "a suite with suppressions named supp'\$(touch X)'.txt" \
    "$repro" check --suite --known-bugs --no-results --suppressions "$supp" -- /bin/true
found=$(find "$TMPDIR" -name X | head -n 3)
[ -z "$found" ] && ok "no file X: the name ran nothing" || fail "the name was run by a shell: $found"
mkdir -p "$work/a-folder"
expect_exit 2 "suppressions that cannot be read" \
    "$repro" check --suite --known-bugs --no-results --suppressions "$work/a-folder" -- /bin/true
expect_output "cannot join the suppressions"
expect_no_output "exited with"
expect_exit 0 "--suppressions none with the known bugs" \
    "$repro" check --suite --known-bugs --no-results --suppressions none -- /bin/true
# A suite's own 77 and 143 pass through, said to be the suite's, not the harness's.
printf '#!/bin/sh\nexit 77\n' >"$work/skips.sh"
expect_exit 77 "a suite that exits 77" "$repro" check --suite -m stress --no-results -- /bin/sh "$work/skips.sh"
expect_output "exit 77 is the suite's own status, not the harness's \"could not be judged\""
printf '#!/bin/sh\nkill -TERM $$\n' >"$work/terminated.sh"
expect_exit 143 "a suite ended by SIGTERM" "$repro" check --suite -m stress --no-results -- /bin/sh "$work/terminated.sh"
expect_output "exit 143 is the suite's own status: it was ended by SIGTERM, not the harness's \"interrupted\""
cd / || exit 2
expect_no_leftovers
finish
