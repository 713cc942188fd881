#!/bin/sh
# A bundle made from a `check` of a user's program is what a maintainer
# accepts: the harness's diagnosis first; a usage error explained with its
# fix, not filed as a libzmq bug (unless --as-bug); C++ built with c++ and
# shown as C++; the program run as it was run (no endpoint it never took);
# run.sh judging by what the program did and counting only what was seen.
. "$(dirname "$0")/lib.sh"

programs=$source_dir/harness/tests/programs
tsan_prefix=$("$repro" builds debian-tsan)
mkdir -p "$results"

# 1. A C++ program sharing a socket between two threads, under TSan.
expect_exit 0 "check of a shared socket (C++)" "$repro" check -t ipc -m tsan --server echo --expect TSAN -r "$results" \
    -- "$programs/cxx_shared_socket_send_recv.cpp" '{endpoint}' 20000
result=$(ls "$results"/*cxx_shared_socket*.json | head -n 1)
expect_exit 0 "its bundle" "$repro" bundle "$result" -o "$TMPDIR/b1"
issue=$(ls "$TMPDIR"/b1/*/ISSUE.md)
cp "$issue" "$TMPDIR/out"
expect_output "^# A usage error, not a libzmq bug"
expect_output "zmq_send called from"
expect_output "zmq_msg_recv called from"
expect_output '^```cpp'
expect_output '`c++ -fsanitize=thread'
expect_no_output "^# Issue description"
cp "$(dirname "$issue")/run.sh" "$TMPDIR/out"
expect_output "^contract=exit"
expect_output "^c++ "
mkdir -p "$TMPDIR/empty1"
tar -xzf "$TMPDIR"/b1/*.tar.gz -C "$TMPDIR/empty1"
expect_exit 0 "its run.sh, from an empty folder with a bare environment" \
    sh -c 'cd "$1"/* && env -i PATH=/usr/bin:/bin LIBZMQ_PREFIX="$2" TIMEOUT=20 ./run.sh 3' sh "$TMPDIR/empty1" "$tsan_prefix"
# A racy C++ program under TSan now and then crashes before TSan reports
# (run.sh says "signal"): the race's report in at least one of the runs.
expect_output "reproduced in [123] of 3 runs"
expect_output "tsan: WARNING: ThreadSanitizer: data race (reproduced)"

# 2. The same with --as-bug: libzmq's template, the diagnosis first.
expect_exit 0 "its bundle --as-bug" "$repro" bundle "$result" --as-bug -o "$TMPDIR/b2"
cp "$TMPDIR"/b2/*/ISSUE.md "$TMPDIR/out"
expect_output "^# Issue description"
expect_output "What the harness found"

# 3. A program with no server that takes no endpoint: run as it was run.
expect_exit 0 "check of a socket left open in a thread" "$repro" check -t ipc -m stress --expect HANG:zmq_ctx_term \
    -r "$results" -- "$programs/c_socket_left_in_thread.c"
result=$(ls "$results"/*c_socket_left_in_thread*.json | head -n 1)
expect_exit 0 "its bundle" "$repro" bundle "$result" -o "$TMPDIR/b3"
cp "$TMPDIR"/b3/*/run.sh "$TMPDIR/out"
expect_output "env \$client_env ./'client' >"
cp "$TMPDIR"/b3/*/ISSUE.md "$TMPDIR/out"
expect_output "Run the client: \`./client\`"
expect_no_output "ENDPOINT"
expect_output "still open in thread"

# 4. Expected clean, seen: its own exit 2. run.sh counts that, not "anything but clean".
printf 'import sys\nimport zmq\nzmq.Context().term()\nsys.exit(2)\n' >"$TMPDIR/exits.py"
expect_exit 1 "check of a script that exits 2" "$repro" check -t ipc -m stress -r "$results" -- "$TMPDIR/exits.py"
result=$(ls "$results"/*exits.py*.json | head -n 1)
expect_exit 0 "its bundle" "$repro" bundle "$result" -o "$TMPDIR/b4"
cp "$TMPDIR"/b4/*/run.sh "$TMPDIR/out"
expect_output "^expected='\\{0,1\\}exit'\\{0,1\\}$"
expect_output "PYTHON  the interpreter"
expect_output "LIBZMQ_PREFIX  the prefix"

expect_no_leftovers
finish
