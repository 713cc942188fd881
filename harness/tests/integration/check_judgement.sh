#!/bin/sh
# zmq-repro check judges a user's program by what it did: a correct program
# is CLEAN without printing DONE, and `--expect any-failure` on it is not a
# reproduction; --done asks for the cases' contract. An EXIT shows the end
# of the program's stdout and stderr (and keeps them in the result). The
# compile takes file names as they are: no shell ever sees them.
. "$(dirname "$0")/lib.sh"

programs=$source_dir/harness/tests/programs
here=$(pwd)
repro=$(cd "$(dirname "$repro")" && pwd)/zmq-repro
expect_exit 0 "a correct C program that prints nothing is CLEAN, tsan" \
    "$repro" check -t ipc --no-results -- "$programs/c_reqrep_own_thread.c"
expect_output "CLEAN NOISE in 1 of 1 runs"
expect_exit 1 "any-failure on a correct C program is not a reproduction" \
    "$repro" check -t ipc -m stress --expect any-failure -n 3 --no-results -- "$programs/c_reqrep_own_thread.c"
expect_output "not reproduced in 3 attempts"
expect_exit 1 "any-failure on a correct Python script is not a reproduction" \
    "$repro" check -t ipc -m stress --server echo --expect any-failure -n 2 --no-results -- \
    "$programs/py_dealer_echo_print.py" '{endpoint}' 200
expect_output "not reproduced in 2 attempts"
expect_exit 1 "any-failure on a correct script that logs on stderr (NOISE) is not a reproduction" \
    "$repro" check -t ipc -m stress --server echo --expect any-failure -n 2 --no-results -- \
    "$programs/py_logging_to_stderr.py" '{endpoint}'
expect_output "attempt 1/2: NOISE WARNING:root:the service answered"
expect_output "not reproduced in 2 attempts"
expect_exit 1 "any-failure on a program's own exit 1 (address in use) is not a reproduction" \
    "$repro" check -t ipc -m stress --expect any-failure -n 1 --no-results -- "$programs/c_bind_in_use_exit.c"
expect_output "not reproduced in 1 attempts"
expect_exit 0 "--expect clean takes a correct script that logs on stderr (NOISE, no report)" \
    "$repro" check -t ipc -m stress --server echo --expect clean -n 1 --no-results -- \
    "$programs/py_logging_to_stderr.py" '{endpoint}'
expect_exit 1 "a program that is not clean is NOT CLEAN, not NOT FIXED" \
    "$repro" check -t ipc -m stress --no-results -- "$programs/c_bind_in_use_exit.c"
expect_output "NOT CLEAN: 1 of 1 runs"
expect_no_output "NOT FIXED"
expect_exit 0 "a hang of a program with no server says nothing of a server" \
    "$repro" check -t ipc -m stress --expect HANG:zmq_ctx_term -n 1 --no-results -- "$programs/c_socket_left_in_thread.c"
expect_output "every thread of every process of the program waiting with no deadline"
expect_no_output "server idle"
expect_exit 1 "--done holds a program to the cases' contract" \
    "$repro" check -t ipc -m stress --done --no-results -- "$programs/c_reqrep_own_thread.c"
expect_output "EXIT exit 0 without DONE"
expect_exit 0 "a case keeps its contract under --done" \
    "$repro" check -t ipc -m stress --done --server echo --no-results -- \
    "$source_dir/cases/shared-socket/fixed_single_owner_poll.c" '{endpoint}' 2000

# An EXIT: the end of both outputs, printed and kept in the result file.
expect_exit 1 "a program that exits 1 is EXIT, with its outputs' ends" \
    "$repro" check -t ipc -m stress -r "$results" -- "$programs/c_bind_in_use_exit.c"
expect_output "EXIT exit 1: error: cannot bind tcp://127.0.0.1:[0-9]*: Address already in use"
expect_output "--- stdout (last lines) ---"
expect_output "starting the second server on tcp://127.0.0.1:"
expect_output "--- stderr (last lines) ---"
if grep -l 'starting the second server' "$results"/*.json >/dev/null 2>&1 &&
    grep -l 'Address already in use' "$results"/*.json >/dev/null 2>&1; then
    ok "the result file keeps both tails"
else fail "the result file lacks the tails: $(ls "$results" 2>&1)"; fi

# File names that a shell would take apart: compiled as they are, nothing run.
work=$TMPDIR/names
mkdir -p "$work"
cat >"$work/plain.c" <<'C'
#warning a warning of the compiler's
#include <zmq.h>
int main(void) { void *c = zmq_ctx_new(); return zmq_ctx_term(c); }
C
for name in 'x$(touch PWNED).c' 'my client.c' "it's.c" 'prüfung ünï.c' 'a;touch PWNED2;.c'; do
    cp "$work/plain.c" "$work/$name"
    cd "$work" || exit 1
    expect_exit 0 "a file named $name compiles and is CLEAN" "$repro" check -t ipc -m stress --no-results -- "./$name"
    cd "$here" || exit 1
    expect_output "check: cc -O2 -g -o '"
    expect_output "CLEAN NOISE in 1 of 1 runs"
done
if ls "$work" | grep -q '^PWNED'; then fail "a file name was run as a command: $(ls "$work")"; else
    ok "no file name was run as a command"; fi
if [ -e PWNED ] || [ -e "$source_dir/PWNED" ]; then fail "PWNED created outside the work folder"; fi

# The compiler's warnings come after the compile line, as one block.
expect_exit 0 "a warning does not stop the check" \
    "$repro" check -t ipc -m stress --no-results -- "$work/plain.c"
line=$(grep -n '^check: cc ' "$TMPDIR/out" | cut -d: -f1)
said=$(grep -n '^check: the compiler said:' "$TMPDIR/out" | cut -d: -f1)
warn=$(grep -n "warning: #warning a warning of the compiler's" "$TMPDIR/out" | cut -d: -f1)
if [ -n "$line" ] && [ -n "$said" ] && [ -n "$warn" ] && [ "$line" -lt "$said" ] && [ "$said" -lt "$warn" ]; then
    ok "the warning is printed after the compile line"
else fail "the compile line ($line), the compiler's block ($said) and the warning ($warn) are out of order"; fi

# C++ builds with c++.
expect_exit 0 "a cppzmq program is built with c++ and is CLEAN" \
    "$repro" check -t ipc -m stress --no-results -- "$programs/cxx_reqrep_own_thread.cpp"
expect_output "check: c++ -O2 -g"
expect_no_leftovers
finish
