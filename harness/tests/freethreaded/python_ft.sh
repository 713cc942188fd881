#!/bin/sh
# Free-threaded Python (label python-ft, left out of the default run: the
# first time it builds CPython, about 5 minutes on 2 cores): python:3.13t is
# made in the usual cache if it is not there, then
#   - its interpreter has the GIL off after `import zmq`;
#   - a broken shared-socket case reproduces, and a fixed one stays clean,
#     in stress and owner mode, the result saying the GIL was disabled;
#   - tsan mode on it is n/a (no --with-thread-sanitizer);
#   - a program that turns the GIL back on (an extension module without
#     Py_mod_gil) is ERROR, whether CPython warns about it or not.
# Needs Debian's mirrors the first time: without them it is skipped (exit 77).
. "$(dirname "$0")/../integration/lib.sh"

"$repro" builds system >/dev/null 2>&1 || { echo "no build 'system': run zmq-repro build --defaults"; exit 1; }
start=$(date +%s)
if ! "$repro" build python:3.13t >"$TMPDIR/build.out" 2>&1; then
    if grep -q 'apt-get update of suite forky\|download of .* (forky) failed' "$TMPDIR/build.out"; then
        echo "SKIP: python:3.13t cannot be built here (Debian's mirrors are out of reach):"
        sed 's/^/    /' "$TMPDIR/build.out" | tail -n 3
        exit 77
    fi
    fail "zmq-repro build python:3.13t failed"
    sed 's/^/    /' "$TMPDIR/build.out" | tail -n 20
    finish
fi
ok "python:3.13t is there ($(($(date +%s) - start)) s)"

expect_exit 0 "builds lists it" "$repro" builds
expect_output "python:3.13t  *3\.13\.[0-9]*  *python .*--disable-gil.*pyzmq 27\."
prefix=$(cd "${ZR_CACHE_DIR:-$HOME/.cache/zmq-repro}/builds/python:3.13t" && pwd -P)
python=$prefix/bin/python3.13t
expect_exit 0 "the GIL is off after import zmq" "$python" -c 'import sys, zmq; print("gil", sys._is_gil_enabled())'
expect_output "^gil False$"

# One broken and one fixed shared-socket case, in stress and owner mode.
for mode in stress owner; do
    expect_exit 0 "a broken case reproduces [$mode]" "$repro" run --python python:3.13t -m $mode -n 5 \
        -r "$results" shared-socket/broken_pyzmq_two_threads
    expect_output "python: python:3.13t .*/bin/python3\.13t 3\.13\.[0-9]*, pyzmq 27\."
    expect_output "^PASS shared-socket/broken_pyzmq_two_threads \[$mode on .*reproduced"
    expect_exit 0 "a fixed case stays clean [$mode]" "$repro" run --python python:3.13t -m $mode -n 3 \
        -r "$results" shared-socket/fixed_pyzmq_socket_per_thread
    expect_output "^PASS shared-socket/fixed_pyzmq_socket_per_thread \[$mode on .*CLEAN in 3 of 3"
done
if tr -d '\n ' <"$(ls "$results"/*fixed_pyzmq_socket_per_thread*.json | head -n 1)" | grep -q '"gil":"disabled"'; then
    ok "the result says the GIL was disabled"
else fail "the result file does not say \"gil\": \"disabled\""; fi

expect_exit 77 "tsan mode is n/a" "$repro" run --python python:3.13t -m tsan --no-results \
    shared-socket/fixed_pyzmq_socket_per_thread
expect_output "^n/a shared-socket/fixed_pyzmq_socket_per_thread \[tsan on .*without --with-thread-sanitizer"

# A real module that turns the GIL back on, compiled here for 3.13t.
mkdir -p "$TMPDIR/ext"
include=$("$python" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
suffix=$("$python" -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))')
cc -shared -fPIC -I"$include" "$source_dir/harness/tests/freethreaded/gil_user.c" -o "$TMPDIR/ext/gil_user$suffix" ||
    { fail "gil_user does not compile against $include"; finish; }
program=$source_dir/harness/tests/freethreaded/gil_program.py
expect_exit 0 "the program without it is clean" "$repro" check -m stress --python python:3.13t --no-results -- \
    "$program"
PYTHONPATH=$TMPDIR/ext expect_exit 2 "a module without Py_mod_gil is ERROR" \
    "$repro" check -m stress --python python:3.13t --no-results -- "$program" gil_user
expect_output "ERROR.*module 'gil_user' does not declare Py_mod_gil"
PYTHONPATH=$TMPDIR/ext expect_exit 2 "the same with CPython's warning silenced is ERROR" \
    "$repro" check -m owner --python python:3.13t --no-results -- "$program" gil_user quiet
expect_output "ERROR.*sys._is_gil_enabled() was True"

expect_no_leftovers
finish
