#!/bin/sh
# What a fixed case's clean runs rule out: bench names its broken twin's
# rate under the same mode and build, and the chance that the clean runs
# would have missed a bug that frequent; without the twin in the bench it
# says so.
. "$(dirname "$0")/lib.sh"

expect_exit 0 "bench of a fixed case with its twin" "$repro" bench -n 3 -m owner -t ipc -j "$TMPDIR/b.json" \
    shared-socket/fixed_single_owner_poll shared-socket/broken_send_recv_threads
expect_output "what the clean runs rule out"
expect_output "fixed_single_owner_poll .*twin fails in 3/3 runs (>= [0-9]*%): 3 clean runs miss a bug that frequent with probability < "
expect_exit 0 "bench of the fixed case alone" "$repro" bench -n 2 -m owner -t ipc -j "$TMPDIR/c.json" shared-socket/fixed_single_owner_poll
expect_output "its twin shared-socket/broken_send_recv_threads was not in this bench"
expect_no_leftovers
finish
