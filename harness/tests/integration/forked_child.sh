#!/bin/sh
# The whole process tree is watched: a child made by fork or by
# multiprocessing that hangs in zmq_ctx_term is the HANG, named by its pid;
# a child that loaded another libzmq than the build is an ERROR; a
# descendant still alive when the client ended (a daemon in a session of
# its own too) is killed and reported as left behind.
. "$(dirname "$0")/lib.sh"

c=$source_dir/harness/tests/progs/forked_hang_child.c
py=$source_dir/harness/tests/progs/forked_hang_child.py

expect_exit 0 "C, a forked child hangs in zmq_ctx_term, stress: HANG" \
    "$repro" check -t ipc -m stress --expect HANG:zmq_ctx_term --every-attempt -n 2 --no-results -- "$c" '{endpoint}'
expect_output "attempt 1/2: HANG pid [0-9]* (forked_hang_child.c-plain): zmq_ctx_term"
expect_output "attempt 2/2: HANG pid [0-9]* (forked_hang_child.c-plain): zmq_ctx_term"
expect_output "=== process [0-9]* (a child of the client): .*forked_hang_child"
expect_output "=== process [0-9]* (the client): .*forked_hang_child"

expect_exit 0 "C, the same under tsan" \
    "$repro" check -t ipc -m tsan --expect HANG:zmq_ctx_term --no-results -q -- "$c" '{endpoint}'
expect_output "HANG pid [0-9]* (forked_hang_child.c-tsan): zmq_ctx_term"

expect_exit 0 "Python, a multiprocessing child hangs in ctx.term(), stress: HANG" \
    "$repro" check -t ipc -m stress --expect HANG:zmq_ctx_term --no-results -q -- "$py" '{endpoint}'
expect_output "HANG pid [0-9]* (python3[.0-9]* forked_hang_child.py): zmq_ctx_term"
expect_output "py main: forked_hang_child.py:[0-9]* main"

expect_exit 0 "the parent exits, its hung child is left behind: killed and said" \
    "$repro" check -t ipc -m stress --no-results -- "$c" '{endpoint}' LEAVE
expect_output "CLEAN"
expect_output "left behind: pid [0-9]* (.*forked_hang_child.c-plain .* LEAVE), still running after the client ended (killed by the harness)"

expect_exit 0 "a double-forked daemon (its own session) hangs: found, killed and said" \
    "$repro" check -t ipc -m stress --no-results -- "$c" '{endpoint}' DAEMON
expect_output "CLEAN"
expect_output "left behind: pid [0-9]* (.*forked_hang_child.c-plain .* DAEMON), still running"

mkdir -p "$TMPDIR/otherlib"
# A copy of the system build's own library, in another folder: another file.
lib=$(python3 -c "import json, sys; print(json.load(open(sys.argv[1]))['library'])" \
    "$("$repro" builds system | head -n 1)/build-info.json" 2>/dev/null)
if [ -n "$lib" ] && [ -f "$lib" ]; then
    cp -L "$lib" "$TMPDIR/otherlib/libzmq.so.5"
    expect_exit 2 "a child that loaded another libzmq than the build: ERROR" \
        "$repro" check -t ipc -m stress --no-results -- "$source_dir/harness/tests/progs/child_other_libzmq.c" \
        '{endpoint}' "$TMPDIR/otherlib"
    expect_output "a child process of the client (pid [0-9]*): the client loaded $TMPDIR/otherlib/libzmq.so.5"
else
    echo "skip: no prefix for the system build ($lib)"
fi
expect_no_leftovers
finish
