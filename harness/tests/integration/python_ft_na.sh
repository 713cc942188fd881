#!/bin/sh
# What a free-threaded Python build decides before anything runs, without
# building one (python-ft/free_threaded does): a build folder whose
# build-info.json says free_threaded, around the configured interpreter.
#   - tsan mode on it is n/a with the reason (run: exit 77; bench: its line;
#     matrix's cell worker: status n/a), C cases are not concerned;
#   - its interpreter with the GIL on after `import zmq` (here: the
#     configured one is not free-threaded at all) is ERROR, never a verdict.
. "$(dirname "$0")/lib.sh" "$1" "$2"

python=$(sed -n 's/^ZR_PYTHON:FILEPATH=//p' "$build/CMakeCache.txt")
[ -x "$python" ] || { echo "skipped: no configured Python in $build/CMakeCache.txt"; exit 77; }
versions=$("$python" -c 'import sys, zmq; print(sys.version.split()[0], zmq.pyzmq_version())' 2>/dev/null) ||
    { echo "skipped: $python does not import zmq"; exit 77; }
set -- $versions
fake=$TMPDIR/python-ft
mkdir -p "$fake"
cat >"$fake/build-info.json" <<JSON
{"kind": "python", "source": "python:3.13t", "stem": "python:3.13t", "python": "$python",
 "key": "0123456789abcdef", "flavour": "binary", "identity": "a stand-in for python:3.13t",
 "python_version": "$1", "pyzmq_version": "$2", "free_threaded": "yes", "thread_sanitizer": "no",
 "origin": "a stand-in for python:3.13t"}
JSON

expect_exit 77 "tsan mode on a free-threaded build is n/a" \
    "$repro" run --python "$fake" -m tsan --no-results shared-socket/fixed_pyzmq_socket_per_thread
expect_output "^n/a shared-socket/fixed_pyzmq_socket_per_thread \[tsan on debian-tsan, .*\]: a free-threaded interpreter built without --with-thread-sanitizer"
expect_exit 77 "bench says n/a on its line" \
    "$repro" bench --python "$fake" -m tsan -n 1 --json "$TMPDIR/bench.json" shared-socket/fixed_pyzmq_socket_per_thread
expect_output "shared-socket/fixed_pyzmq_socket_per_thread  *tsan .* n/a: a free-threaded interpreter"
expect_exit 77 "matrix's cell worker writes an n/a cell" \
    "$repro" cell shared-socket/fixed_pyzmq_socket_per_thread -m tsan -b debian-tsan -n 1 --json "$TMPDIR/cell.json" \
    --python "$fake"
if tr -d '\n ' <"$TMPDIR/cell.json" | grep -q '"status":"n/a","reason":"afree-threaded\|"reason":"afree-threaded.*"status":"n/a"'; then
    ok "the cell is n/a with the reason"
else fail "the cell is not n/a with the reason: $(cat "$TMPDIR/cell.json")"; fi

expect_exit 2 "a free-threaded build whose GIL is on after import zmq is ERROR" \
    "$repro" run --python "$fake" -m stress --no-results shared-socket/fixed_pyzmq_socket_per_thread
expect_output "is free-threaded, but the interpreter that ran is not"

expect_no_leftovers
finish
