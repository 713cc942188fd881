# Shared by the harness's integration tests: each runs zmq-repro for real,
# interferes the way a user or a machine can, and checks the verdict.
# usage in a test: . "$(dirname "$0")/lib.sh" BUILD_DIR SOURCE_DIR
set -u
build=$1
source_dir=$2
repro=$build/zmq-repro
progs=$build/tests/progs

# Everything a test starts lives under one private TMPDIR, with ipc
# endpoints inside it: a process or folder left behind is easy to find.
TMPDIR=$(mktemp -d "${TMPDIR:-/tmp}/zr-itest.XXXXXX")
export TMPDIR
results=$TMPDIR/results
failures=0

# Every process of the test is ended; the folder of a failed test is kept,
# and its path said, so that its evidence can be read.
cleanup() {
    pkill -KILL -f "$TMPDIR" 2>/dev/null
    if [ "${failures:-0}" -ne 0 ]; then
        echo "kept for reading: $TMPDIR"
    else
        rm -rf "$TMPDIR"
    fi
}
trap cleanup EXIT INT TERM

fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

ok() {
    echo "ok: $*"
}

# expect_exit CODE DESCRIPTION COMMAND...: runs COMMAND, output in $TMPDIR/out.
expect_exit() {
    want=$1 what=$2
    shift 2
    "$@" >"$TMPDIR/out" 2>&1
    got=$?
    if [ "$got" -eq "$want" ]; then ok "$what (exit $got)"; else
        fail "$what: exit $got, wanted $want"
        sed 's/^/    /' "$TMPDIR/out" | tail -n 20
    fi
}

expect_output() {
    if grep -q -- "$1" "$TMPDIR/out"; then ok "says: $1"; else
        fail "the output does not say: $1"
        sed 's/^/    /' "$TMPDIR/out" | tail -n 20
    fi
}

expect_no_output() {
    if grep -q -- "$1" "$TMPDIR/out"; then
        fail "the output says: $1"
        sed 's/^/    /' "$TMPDIR/out" | tail -n 20
    else ok "does not say: $1"; fi
}

# Waits (up to 10 s) for a process whose command line matches PATTERN; its pid on stdout.
wait_for_process() {
    i=0
    while [ $i -lt 200 ]; do
        pid=$(pgrep -f -n -- "$1") && { echo "$pid"; return 0; }
        sleep 0.05
        i=$((i + 1))
    done
    return 1
}

# Waits (up to 10 s) until a file matching GLOB (a pattern under $TMPDIR)
# holds TEXT: a line a program prints when it is ready. 1 when it never does.
wait_for_line() {
    i=0
    while [ $i -lt 200 ]; do
        # shellcheck disable=SC2086 # GLOB is a pattern
        grep -q -- "$2" $1 2>/dev/null && return 0
        sleep 0.05
        i=$((i + 1))
    done
    return 1
}

# No process and no folder of the harness left in our TMPDIR. (The runner
# has ended when this is called: what it started has been reaped.)
expect_no_leftovers() {
    # A process killed with its group may take a moment to be gone: up to 2 s.
    i=0
    while [ $i -lt 40 ] && { pgrep -f "$TMPDIR/zmq-repro" >/dev/null || pgrep -f "router_server --bind ipc://$TMPDIR" >/dev/null; }; do
        sleep 0.05
        i=$((i + 1))
    done
    if pgrep -f "$TMPDIR/zmq-repro" >/dev/null || pgrep -f "router_server --bind ipc://$TMPDIR" >/dev/null; then
        fail "processes left behind: $(pgrep -a -f "$TMPDIR" | grep -v pgrep | head -n 3)"
    else ok "no process left behind"; fi
    left=$(find "$TMPDIR" -maxdepth 1 -name 'zmq-repro-*' | head -n 3)
    if [ -n "$left" ]; then fail "temporary folders left behind: $left"; else ok "no temporary folder left behind"; fi
}

finish() {
    if [ "$failures" -ne 0 ]; then
        echo "$failures check(s) failed"
        exit 1
    fi
    echo "all checks passed"
    exit 0
}
