#!/bin/sh
# A correct program that waits with a deadline (zmq_poll with a timeout, a
# sleep, a heartbeat loop, a thread polling while main joins it; in Python
# time.sleep and Poller.poll with a timeout) for longer than the stall
# window (0.5 s) is never a HANG: only every thread waiting with no
# deadline is one. At the watchdog's expiry a program still making
# progress is TIMEOUT (the harness's limit too short: exit 2, never a
# reproduction); one that made no progress is a HANG.
. "$(dirname "$0")/lib.sh"

prog=$source_dir/harness/tests/progs/bounded_waits.c
py=$source_dir/harness/tests/progs/bounded_waits.py

for mode in poll sleep heartbeat; do
    expect_exit 0 "C, $mode for 1.2 s, stress: clean" \
        "$repro" check -t ipc -m stress --server echo -n 2 --no-results -- "$prog" '{endpoint}' $mode 1.2
    expect_output "CLEAN NOISE in 2 of 2 runs"
    expect_no_output "HANG"
done
expect_exit 0 "C, a thread polling while main joins it, tsan and owner: clean" \
    "$repro" check -t ipc -m tsan -m owner --server echo -n 2 --no-results -- "$prog" '{endpoint}' thread 1.2
expect_output "PASS check .*\[tsan on .*CLEAN NOISE in 2 of 2 runs"
expect_output "PASS check .*\[owner on .*CLEAN NOISE in 2 of 2 runs"
expect_no_output "HANG"
expect_exit 0 "Python, time.sleep(1.2), stress: clean" \
    "$repro" check -t ipc -m stress --server echo -n 2 --no-results -- "$py" '{endpoint}' sleep 1.2
expect_no_output "HANG"
expect_exit 0 "Python, Poller.poll(1000) for 1.2 s, tsan: clean" \
    "$repro" check -t ipc -m tsan --server echo -n 2 --no-results -- "$py" '{endpoint}' poller 1.2
expect_no_output "HANG"

# The heartbeat loop outlives a short watchdog while the server answers it.
expect_exit 2 "a program still making progress at the watchdog: TIMEOUT, a harness error" \
    "$repro" check -t ipc -m stress --server echo --timeout 0.8 --no-results -- "$prog" '{endpoint}' heartbeat 5
expect_output "attempt 1/1: TIMEOUT"
expect_output "still making progress"
expect_output "raise it with --timeout or ZR_TIMEOUT_MULTIPLIER"
expect_no_output "HANG"
expect_exit 2 "the same, expecting a hang: never a reproduction" \
    "$repro" check -t ipc -m stress --server echo --timeout 0.8 --expect hang --no-results -- "$prog" '{endpoint}' heartbeat 5
expect_no_output "reproduced"

# A sleep longer than the watchdog: nothing moves, the watchdog decides HANG.
expect_exit 1 "a program that made no progress at the watchdog: HANG" \
    "$repro" check -t ipc -m stress --server echo --timeout 1 --no-results -- "$prog" '{endpoint}' sleep 30
expect_output "attempt 1/1: HANG"
expect_output "the watchdog fired, the program making no progress"
# A real hang beside a bounded zmq_poll: found by the watchdog (the polling
# thread keeps the stall window open); the signature is the thread that
# waits with no deadline only.
expect_exit 1 "zmq_ctx_term hung beside a thread in a bounded zmq_poll: HANG zmq_ctx_term" \
    "$repro" check -t ipc -m stress --timeout 2 --no-results -- "$prog" '{endpoint}' hang 0
expect_output "attempt 1/1: HANG zmq_ctx_term ("
expect_no_output "attempt 1/1: HANG .*zmq_poll"
expect_output "every thread waiting with no deadline\|nothing moved for the last"
expect_no_leftovers
finish
