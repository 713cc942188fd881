#!/bin/sh
# A case whose verdict depends on the libzmq version, on real builds of two
# versions: libzmq #3792 hangs on 4.3.2 and is fixed in 4.3.3 (PR #3794), so
# broken_socket_after_ctx_shutdown reproduces on 4.3.2 and is judged fixed
# (every run CLEAN) on 4.3.3. Needs upstream's release trees (ZR_LIBZMQ_SOURCES,
# default ../shared/libzmq): skipped when they are not there.
. "$(dirname "$0")/../integration/lib.sh"

sources=${ZR_LIBZMQ_SOURCES:-$source_dir/../shared/libzmq}
if [ ! -f "$sources/libzmq-4.3.2.tar.gz" ] || [ ! -f "$sources/libzmq-4.3.3.tar.gz" ]; then
    echo "skipped: no libzmq-4.3.2.tar.gz and libzmq-4.3.3.tar.gz in $sources (set ZR_LIBZMQ_SOURCES)"
    exit 77
fi
for v in 4.3.2 4.3.3; do
    expect_exit 0 "build $v (cached after the first time)" "$repro" build "$sources/libzmq-$v.tar.gz" --flavour debug
done
case=hang-at-shutdown/broken_socket_after_ctx_shutdown
expect_exit 0 "#3792 on 4.3.2: reproduced" "$repro" run $case -m stress -b 4.3.2-debug -n 3 -t ipc --no-results -q
expect_output "PASS .*reproduced in 1 of 1 attempts.*HANG zmq_recv"
expect_exit 0 "#3792 on 4.3.3: judged fixed, every run clean" "$repro" run $case -m stress -b 4.3.3-debug -n 3 -t ipc --no-results -q
expect_output "fixed upstream in this version: judged as fixed"
expect_output "PASS .*CLEAN in 3 of 3 runs (fixed upstream in 4.3.3)"
expect_no_leftovers
finish
