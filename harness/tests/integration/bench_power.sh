#!/bin/sh
# What a fixed case's clean runs rule out: bench names its broken twin's
# rate under the same mode and build, and the chance that the clean runs
# would have missed a bug that frequent; without the twin in the bench it
# says so, and so does it when the twin has no run in that mode. A twin fixed upstream in the build (judged as fixed there) fails
# in none of its clean runs: the fixed case's clean runs then say little.
. "$(dirname "$0")/lib.sh"

expect_exit 0 "bench of a fixed case with its twin" "$repro" bench -n 3 -m owner -t ipc -j "$TMPDIR/b.json" \
    shared-socket/fixed_single_owner_poll shared-socket/broken_send_recv_threads
expect_output "what the clean runs rule out"
expect_output "fixed_single_owner_poll .*twin fails in 3/3 runs (>= [0-9]*%): 3 clean runs miss a bug that frequent with probability < "
expect_exit 0 "bench of the fixed case alone" "$repro" bench -n 2 -m owner -t ipc -j "$TMPDIR/c.json" shared-socket/fixed_single_owner_poll
expect_output "its twin shared-socket/broken_send_recv_threads was not in this bench"
# broken_socket_after_ctx_shutdown's bug is gone from libzmq 4.3.3 on: on
# the system's 4.3.4 its runs are clean, so they rule nothing out.
expect_exit 0 "bench of a fixed case whose twin is fixed upstream here" "$repro" bench -n 2 -m stress -t ipc \
    -j "$TMPDIR/d.json" hang-at-shutdown/fixed_socket_before_ctx_shutdown hang-at-shutdown/broken_socket_after_ctx_shutdown
expect_output "fixed_socket_before_ctx_shutdown .*twin fails in 0/2 runs (>= 0%): weak"
# A twin that has no run in the mode (broken_zerocopy_free_after_close
# reproduces only under TSan): "run both" would send the user in circles.
expect_exit 0 "bench of a fixed case whose twin has no perturb run" "$repro" bench -n 2 -m perturb -t ipc \
    -j "$TMPDIR/e.json" finalize-race/fixed_term_before_free
expect_output "its twin finalize-race/broken_zerocopy_free_after_close has no perturb run"
expect_no_output "broken_zerocopy_free_after_close was not in this bench"
expect_no_leftovers
finish
