#!/bin/sh
# Python builds: python:trixie (Debian trixie's 3.13 with its python3-zmq,
# under its own glibc's loader) is made from nothing in a cache of this
# build folder's own, then the Python cases run on it with the libzmq
# builds of the usual cache: one broken and one fixed case of each family,
# and the zeroc-ice #3824 crash, which shows on 3.13 only. It needs Debian's
# mirrors: without a network it is skipped (exit 77), never failed.
. "$(dirname "$0")/lib.sh" "$1" "$2"

# The libzmq builds come from the usual cache (made by setup/default-builds);
# the Python build goes into the build folder's own, kept between runs.
system_prefix=$("$repro" builds system 2>/dev/null) || { echo "no build 'system': run setup/default-builds"; exit 1; }
tsan_prefix=$("$repro" builds debian-tsan 2>/dev/null) || { echo "no build 'debian-tsan': run setup/default-builds"; exit 1; }
ZR_CACHE_DIR=$build/python-builds-cache
export ZR_CACHE_DIR
mkdir -p "$ZR_CACHE_DIR/builds"
ln -sfn "$system_prefix" "$ZR_CACHE_DIR/builds/system"
ln -sfn "$tsan_prefix" "$ZR_CACHE_DIR/builds/debian-tsan"

start=$(date +%s)
if ! "$repro" build python:trixie >"$TMPDIR/build.out" 2>&1; then
    if grep -q 'apt-get update of suite trixie\|apt-get download (trixie) failed' "$TMPDIR/build.out"; then
        echo "SKIP: python:trixie cannot be fetched here (Debian's mirrors are out of reach):"
        sed 's/^/    /' "$TMPDIR/build.out" | tail -n 3
        exit 77
    fi
    fail "zmq-repro build python:trixie failed"
    sed 's/^/    /' "$TMPDIR/build.out" | tail -n 20
    finish
fi
ok "python:trixie is set up ($(($(date +%s) - start)) s)"

expect_exit 0 "builds lists the Python builds" "$repro" builds
expect_output "python:trixie  *3\.13\.[0-9]*  *python .*pyzmq 26\."

expect_exit 2 "a Python build is not a libzmq build" "$repro" run -b python:trixie -m stress shared-socket/fixed_pyzmq_socket_per_thread
expect_output "python:trixie is a Python build, not a libzmq build: name it with --python"
expect_exit 2 "a Python build not made yet is named" "$repro" run --python python:nosuchsuite -m stress shared-socket/fixed_pyzmq_socket_per_thread
expect_output "no Python build named 'python:nosuchsuite' yet: make it with .zmq-repro build python:nosuchsuite."

# One broken and one fixed case of each family, in one mode each: the
# result names the interpreter that really ran.
run_on_trixie() {
    mode=$1 case=$2
    expect_exit 0 "$case [$mode] on python:trixie" \
        "$repro" run --python python:trixie -m "$mode" -r "$results" "$case"
    expect_output "python: python:trixie .*/usr/bin/python3\.13 3\.13\.[0-9]*, pyzmq 26\."
    expect_output "^PASS $case \[$mode on "
}
run_on_trixie tsan shared-socket/broken_pyzmq_two_threads
run_on_trixie stress shared-socket/fixed_pyzmq_socket_per_thread
run_on_trixie stress hang-at-shutdown/broken_unsent_default_linger
run_on_trixie stress hang-at-shutdown/fixed_linger_zero
run_on_trixie stress finalize-race/broken_native_thread_at_exit
run_on_trixie stress finalize-race/fixed_native_thread_pr3838
if grep -q '"build": "python:trixie"' "$results"/*fixed_native_thread_pr3838*.json; then
    ok "the result file names the Python build"
else fail "the result file does not name the Python build"; fi

# zeroc-ice #3824: on 3.13 the crash (the extension module is C++, built
# here for this interpreter); on the configured 3.11 the case is judged as
# fixed (@python-unaffected <3.12), and its PR #3838 twin is clean on both.
run_on_trixie stress finalize-race/broken_native_cxx_thread_at_exit
expect_output "reproduced in .*SIGNAL SIGSEGV"
expect_exit 0 "#3824 on the configured Python" \
    "$repro" run -m stress -n 3 --no-results finalize-race/broken_native_cxx_thread_at_exit
expect_output "this Python cannot show the bug"
run_on_trixie owner finalize-race/fixed_native_cxx_thread_pr3838
if ls "$ZR_CACHE_DIR"/builds/python:trixie/pyext/plain/nativecxx.cpython-313-*.so >/dev/null 2>&1; then
    ok "the C++ extension module is built for 3.13 in the Python build's folder"
else fail "no nativecxx module for 3.13 in $ZR_CACHE_DIR/builds/python:trixie/pyext/plain"; fi

# The matrix's Python axis: a column per build and Python; each cell names
# the interpreter and pyzmq that ran; a C case runs in the first only.
configured=$(sed -n 's/^ZR_PYTHON:FILEPATH=//p' "$build/CMakeCache.txt")
expect_exit 0 "matrix with two Pythons" "$repro" matrix -b system -m stress -n 6 --python "$configured" \
    --python python:trixie --out "$TMPDIR/matrix" finalize-race/broken_native_cxx_thread_at_exit shared-socket/broken_send_recv_threads
md=$TMPDIR/matrix/matrix.md
if grep -q 'finalize-race/broken_native_cxx_thread_at_exit\*\*[^|]* | [^|]* | [^|]*stress: Python unaffected 6/6[^|]* | [^|]*stress: reproduced [1-6]/6[^|]*SIGNAL' "$md"; then
    ok "the #3824 row: unaffected on 3.11, reproduced on 3.13"
else fail "the #3824 row of the matrix is not as expected"; grep 'finalize-race/' "$md" | sed 's/^/    /'; fi
if grep -q 'shared-socket/broken_send_recv_threads\*\*[^|]* | [^|]* | [^|]*stress: [a-z][^|]* | [^|]*stress: n/a: a C case' "$md"; then
    ok "a C case runs in the first Python column only"
else fail "the C case's row of the matrix is not as expected"; grep 'shared-socket/' "$md" | sed 's/^/    /'; fi
if tr -d '\n ' <"$TMPDIR/matrix/matrix.json" |
    grep -q '"python":{"build":"python:trixie","pyzmq":"26\.[0-9.]*","version":"3\.13\.[0-9]*"}'; then
    ok "a cell names the Python build, its version and pyzmq's"
else fail "no cell of matrix.json names python:trixie with its versions"; fi

# A Python build that runs another interpreter than it was made as is an
# ERROR, never a verdict: a copy of python:trixie that claims 3.99.0.
fake=$TMPDIR/fake-python
mkdir -p "$fake"
sed 's/"python_version": "[^"]*"/"python_version": "3.99.0"/' \
    "$ZR_CACHE_DIR/builds/python:trixie/build-info.json" >"$fake/build-info.json"
expect_exit 2 "a Python build that runs another interpreter" \
    "$repro" run --python "$fake" -m stress --no-results shared-socket/fixed_pyzmq_socket_per_thread
expect_output "ran Python 3\.13\.[0-9]* with pyzmq 26\.[0-9.]*, not the 3\.99\.0"

# A program that re-executes sys.executable (a child interpreter,
# multiprocessing's forkserver and spawn): the fetched interpreter's
# sys.executable is its launcher, which starts it under its own loader again.
cat >"$TMPDIR/reexec.py" <<'PY'
import multiprocessing as mp
import subprocess
import sys

import zmq


def version(_):
    return zmq.zmq_version()


if __name__ == "__main__":
    child = subprocess.run([sys.executable, "-c", "import zmq; print(zmq.zmq_version())"], capture_output=True,
                           text=True, check=True).stdout.strip()
    for method in ("forkserver", "spawn"):
        with mp.get_context(method).Pool(1) as pool:
            assert pool.map(version, [0])[0] == child
    print("re-executed:", child)
PY
expect_exit 0 "a program that re-executes sys.executable on python:trixie" \
    "$repro" check -m stress --python python:trixie --no-results -- "$TMPDIR/reexec.py"
expect_output "PASS check"
expect_no_output "GLIBC_"
expect_no_output "left behind"

expect_no_leftovers
finish
