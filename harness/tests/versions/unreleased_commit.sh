#!/bin/sh
# Every libzmq commit after v4.3.2 reports 4.3.3 (the number is bumped right
# after a release), so @fixed-in 4.3.3 cannot be judged by that number. The
# parent of 36a8df2f (PR #3794, the fix of #3792) is not fixed: it is run, and
# not judged, saying that its release cannot be told (exit 77); the v4.3.3
# tag is release 4.3.3: judged fixed. Needs upstream's history up to v4.3.3
# (libzmq-to-v4.3.3.bundle in ZR_LIBZMQ_SOURCES, default ../shared/libzmq):
# skipped when it is not there. Builds two commits: a few minutes.
. "$(dirname "$0")/../integration/lib.sh"

sources=${ZR_LIBZMQ_SOURCES:-$source_dir/../shared/libzmq}
if [ ! -f "$sources/libzmq-to-v4.3.3.bundle" ]; then
    echo "skipped: no libzmq-to-v4.3.3.bundle in $sources (set ZR_LIBZMQ_SOURCES)"
    exit 77
fi
git clone -q "$sources/libzmq-to-v4.3.3.bundle" "$TMPDIR/libzmq" || fail "cannot clone the bundle"
git -C "$TMPDIR/libzmq" checkout -q 36a8df2f8c822bbec8fb4d513a6def8d4896700e^ || fail "no parent of 36a8df2f"
case=hang-at-shutdown/broken_socket_after_ctx_shutdown
expect_exit 0 "build the commit before the fix" "$repro" build "$TMPDIR/libzmq" --flavour debug --name before-fix
expect_exit 77 "the commit before the fix: run, not judged" "$repro" run $case -m stress -b before-fix -n 2 -t ipc --no-results -q
expect_output "not judged: libzmq at commit .* comes after release 4.3.2 and is not release 4.3.3"
expect_output "the fix came in 4.3.3: @fixed-in"
expect_no_output "NOT FIXED"
git -C "$TMPDIR/libzmq" checkout -q v4.3.3 || fail "no tag v4.3.3"
expect_exit 0 "build the v4.3.3 tag" "$repro" build "$TMPDIR/libzmq" --flavour debug --name at-v4.3.3
expect_exit 0 "the v4.3.3 tag: judged fixed" "$repro" run $case -m stress -b at-v4.3.3 -n 2 -t ipc --no-results -q
expect_output "PASS .*CLEAN in 2 of 2 runs (fixed upstream in 4.3.3)"
# The same commit from another checkout: the cached build, and where it was made.
git clone -q "$TMPDIR/libzmq" "$TMPDIR/other-checkout" && git -C "$TMPDIR/other-checkout" checkout -q v4.3.3 ||
    fail "cannot clone a second checkout"
expect_exit 0 "the same commit from another checkout" "$repro" build "$TMPDIR/other-checkout" --flavour debug --name at-v4.3.3
expect_output "is cached in"
expect_output "it is also source tree $TMPDIR/other-checkout at"
expect_no_leftovers
finish
