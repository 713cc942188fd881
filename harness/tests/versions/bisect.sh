#!/bin/sh
# zmq-repro bisect finds the commit that fixed libzmq #3792 between v4.3.2 and
# v4.3.3: 36a8df2f (PR #3794). Needs upstream's history up to v4.3.3
# (libzmq-to-v4.3.3.bundle in ZR_LIBZMQ_SOURCES, default ../shared/libzmq):
# skipped when it is not there. Builds about ten commits: minutes.
. "$(dirname "$0")/../integration/lib.sh"

sources=${ZR_LIBZMQ_SOURCES:-$source_dir/../shared/libzmq}
if [ ! -f "$sources/libzmq-to-v4.3.3.bundle" ]; then
    echo "skipped: no libzmq-to-v4.3.3.bundle in $sources (set ZR_LIBZMQ_SOURCES)"
    exit 77
fi
expect_exit 0 "bisect the fix of #3792" "$repro" bisect hang-at-shutdown/broken_socket_after_ctx_shutdown \
    --source "$sources/libzmq-to-v4.3.3.bundle" --from v4.3.2 --to v4.3.3 --looking-for fix -m stress -n 2
expect_output "first fixed commit: 36a8df2f8c822bbec8fb4d513a6def8d4896700e"
cat "$TMPDIR/out"
expect_exit 2 "bisect of a revision that is not there" "$repro" bisect hang-at-shutdown/broken_socket_after_ctx_shutdown \
    --source "$sources/libzmq-to-v4.3.3.bundle" --from v9.9.9 --to v4.3.3 --looking-for fix
expect_no_leftovers
finish
