#!/bin/sh
# A report counts only where the runtime that prints it was really loaded:
# a program that prints libzmq's assertion without aborting, a
# ThreadSanitizer block or the ownership checker's SUMMARY where neither ran,
# or CPython's fatal error from C, is judged by what it did (NOISE, EXIT),
# never ASSERT, TSAN, SHARED_SOCKET or FATAL_PYTHON.
. "$(dirname "$0")/lib.sh"

prog=$source_dir/harness/tests/progs/fake_reports.c
expect_exit 1 "a printed assertion, exit 0, is not libzmq's abort" \
    "$repro" check -t ipc -m stress --expect ASSERT --no-results -- "$prog" assert 0
expect_output "attempt 1/1: NOISE"
expect_exit 1 "a printed TSan report in stress mode is no TSan report" \
    "$repro" check -t ipc -m stress --expect TSAN --no-results -- "$prog" tsan 66
expect_output "attempt 1/1: EXIT exit 66"
expect_exit 1 "a printed checker SUMMARY in stress mode is no SHARED_SOCKET" \
    "$repro" check -t ipc -m stress --expect SHARED_SOCKET --no-results -- "$prog" owner 0
expect_output "attempt 1/1: NOISE"
expect_exit 1 "CPython's fatal error from a C program is no FATAL_PYTHON" \
    "$repro" check -t ipc -m stress --expect FATAL_PYTHON --no-results -- "$prog" python 1
expect_output "attempt 1/1: EXIT exit 1"
expect_no_leftovers
finish
