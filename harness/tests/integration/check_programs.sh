#!/bin/sh
# zmq-repro check on programs that are not cases: the verdict says whose
# doing a failure is, for a C source, a prebuilt binary, a C++ (cppzmq)
# source and a Python script; a Python deadlock in ctx.term() names the
# script's line; a correct program is clean.
. "$(dirname "$0")/lib.sh"

c=$source_dir/cases/shared-socket/broken_send_recv_threads.c
expect_exit 1 "C source sharing a socket, tsan" \
    "$repro" check -t ipc --server echo --no-results -- "$c" '{endpoint}' 2000
expect_output "diagnosis: your program: .*one socket used from two threads"
expect_output "zmq_send called from sender (broken_send_recv_threads.c:[0-9]*) in thread T"
expect_output "zmq_recv called from receiver (broken_send_recv_threads.c:[0-9]*) in thread T"

cc -O2 -g -o "$TMPDIR/prebuilt" "$c" -lzmq -lpthread
expect_exit 1 "the same prebuilt, tsan (libtsan preloaded)" \
    "$repro" check -t ipc --server echo --no-results -- "$TMPDIR/prebuilt" '{endpoint}' 2000
expect_output "is prebuilt: TSan sees the races inside libzmq"
expect_output "TSAN data-race"
expect_exit 0 "the same prebuilt, stress, any failure in 10 attempts" \
    "$repro" check -t ipc -m stress --server echo --expect any-failure -n 10 --no-results -- "$TMPDIR/prebuilt" '{endpoint}' 200000 10
expect_output "reproduced in 1 of"
expect_exit 0 "the same prebuilt, owner" \
    "$repro" check -t ipc -m owner --server echo --expect SHARED_SOCKET -n 10 --no-results -- "$TMPDIR/prebuilt" '{endpoint}' 2000
expect_output "SHARED_SOCKET DEALER"

expect_exit 1 "C++ with cppzmq sharing a socket, tsan" \
    "$repro" check -t ipc --server echo --no-results -- "$source_dir/harness/tests/progs/cppzmq_shared_socket.cpp" '{endpoint}' 2000
expect_output "check: c++ -fsanitize=thread"
expect_output "TSAN data-race"

py=$source_dir/pyclients/shared-socket/broken_pyzmq_two_threads.py
expect_exit 1 "Python script sharing a socket, tsan: the script's lines" \
    "$repro" check -t ipc --server echo --no-results -- "$py" '{endpoint}' 20000
expect_output "Python threads at the report: .*broken_pyzmq_two_threads.py:[0-9]* sender.*broken_pyzmq_two_threads.py:[0-9]* receiver"
expect_exit 1 "Python deadlock in ctx.term(), stress: the blocked line" \
    "$repro" check -t ipc -m stress --no-results -- "$source_dir/pyclients/hang-at-shutdown/broken_unsent_default_linger.py" '{endpoint}'
expect_output "HANG zmq_ctx_term || py main: broken_unsent_default_linger.py:[0-9]* main -> zmq/sugar/context.py:[0-9]* term"

expect_exit 0 "a correct C program is clean" \
    "$repro" check -t ipc --server echo --no-results -- "$source_dir/cases/shared-socket/fixed_single_owner_poll.c" '{endpoint}' 2000
expect_exit 0 "a correct Python script is clean" \
    "$repro" check -t ipc -m stress --server echo --no-results -- "$source_dir/pyclients/shared-socket/fixed_single_thread_poller.py" '{endpoint}' 2000
echo "int main(void) { return undefined_thing; }" >"$TMPDIR/bad.c"
expect_exit 2 "a source that does not compile is an error, not a verdict" \
    "$repro" check -t ipc --no-results -- "$TMPDIR/bad.c"
expect_exit 2 "a missing program" "$repro" check -- "$TMPDIR/none"
expect_no_leftovers
finish
