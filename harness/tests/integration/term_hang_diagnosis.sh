# A hang in zmq_ctx_term, judged "my usage or libzmq?" from the sockets the
# probe (libzr_loaded.so, ZR_SOCKETS_LOG) saw: real programs that hang in
# term (an unsent message with the default LINGER, from C and from Python;
# a socket left open in another thread) are run under the probe, killed once
# the log shows their TERM, and the diagnosis must name the socket's type,
# its creation line and LINGER -1. Correct programs (LINGER 0; the socket
# closed by its thread before term) end by themselves and get no diagnosis.
# ZR_TERM_HANG_RUNS=N runs each program N times (default 1): the figure
# "N/N runs named the socket, its line and LINGER -1".
. "$(dirname "$0")/lib.sh"

probe=$build/libzr_loaded.so
diagnose=$progs/zr-diagnose-sockets
python=/usr/bin/python3
runs=${ZR_TERM_HANG_RUNS:-1}
# The readiness deadline, in tenths of a second, scaled like the runner's watchdogs.
multiplier=${ZR_TIMEOUT_MULTIPLIER:-1}
deadline=$(awk -v m="$multiplier" 'BEGIN { d = 100 * m; if (d < 100) d = 100; printf "%d", d }')

for f in "$probe" "$diagnose" "$progs/term_hang_unsent" "$progs/term_hang_other_thread"; do
    [ -e "$f" ] || { echo "FAIL: $f is not built"; exit 1; }
done

pid=
# Starts the program (argument vector after the log's name) under the probe, in the background.
start_under_probe() {
    log=$1
    shift
    rm -f "$log"
    ZR_SOCKETS_LOG=$log LD_PRELOAD=$probe "$@" >"$TMPDIR/prog.out" 2>&1 &
    pid=$!
}

# Waits until the log has a TERM line of $pid: 0, or 1 at the deadline.
wait_for_term() {
    i=0
    while [ "$i" -lt "$deadline" ]; do
        grep -q "^TERM pid=$pid " "$1" 2>/dev/null && return 0
        kill -0 "$pid" 2>/dev/null || { grep -q "^TERM pid=$pid " "$1" 2>/dev/null; return $?; }
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

stop_program() {
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    pid=
}

# hang_case WHAT EXPECTED... -- PROGRAM ARGS: the program hangs in term; the
# diagnosis must contain each EXPECTED text. Counts the runs that did.
hang_case() {
    what=$1
    shift
    expected_n=0
    while [ "$1" != "--" ]; do
        expected_n=$((expected_n + 1))
        eval "expected_$expected_n=\$1"
        shift
    done
    shift
    named=0
    run=1
    while [ "$run" -le "$runs" ]; do
        log=$TMPDIR/sockets.log
        start_under_probe "$log" "$@"
        if ! wait_for_term "$log"; then
            fail "$what (run $run): no TERM line in the socket log within $((deadline / 10)) s"
            sed 's/^/    /' "$TMPDIR/prog.out" "$log" 2>/dev/null | tail -n 10
            stop_program
            run=$((run + 1))
            continue
        fi
        sleep 0.3 # inside zmq_ctx_term now: it must still be there
        if ! kill -0 "$pid" 2>/dev/null; then
            fail "$what (run $run): the program ended instead of hanging in term"
        fi
        hung_pid=$pid
        stop_program
        "$diagnose" "$log" "$hung_pid" >"$TMPDIR/out" 2>&1
        all=1
        k=1
        while [ "$k" -le "$expected_n" ]; do
            eval "want=\$expected_$k"
            grep -q -- "$want" "$TMPDIR/out" || { all=0; fail "$what (run $run): the diagnosis does not say: $want"; }
            k=$((k + 1))
        done
        if [ "$all" -eq 1 ]; then named=$((named + 1)); else sed 's/^/    /' "$TMPDIR/out"; fi
        run=$((run + 1))
    done
    echo "$what: $named/$runs runs named the socket, its creation line and LINGER"
    [ "$named" -eq "$runs" ] && ok "$what"
}

# clean_case WHAT -- PROGRAM ARGS: the program ends by itself (DONE); no diagnosis.
clean_case() {
    what=$1
    shift 2
    log=$TMPDIR/sockets.log
    start_under_probe "$log" "$@"
    i=0
    while kill -0 "$pid" 2>/dev/null && [ "$i" -lt "$deadline" ]; do
        sleep 0.1
        i=$((i + 1))
    done
    if kill -0 "$pid" 2>/dev/null; then
        fail "$what: still running after $((deadline / 10)) s"
        stop_program
        return
    fi
    wait "$pid"
    rc=$?
    clean_pid=$pid
    pid=
    if [ "$rc" -ne 0 ] || ! grep -q DONE "$TMPDIR/prog.out"; then
        fail "$what: exit $rc under the probe"
        sed 's/^/    /' "$TMPDIR/prog.out" | tail -n 5
    fi
    grep -q "^TERM_DONE pid=$clean_pid " "$log" || fail "$what: the log has no TERM_DONE"
    expect_exit 1 "$what: no diagnosis" "$diagnose" "$log" "$clean_pid"
    expect_output "no diagnosis"
}

# The creation lines, from the programs' own sources.
line_of() {
    grep -n -F -- "$2" "$source_dir/harness/tests/progs/$1" | head -n 1 | cut -d: -f1
}
c_line=$(line_of term_hang_unsent.c "zmq_socket(ctx, ZMQ_DEALER)")
thread_line=$(line_of term_hang_other_thread.c "zmq_socket(w->ctx, ZMQ_PULL)")
py_line=$(line_of term_hang_unsent.py "ctx.socket(zmq.DEALER)")
nobody=ipc://$TMPDIR/nobody-listens
hang_case "C, unsent message, socket never closed" \
    "waits for 1 socket that is still open" "DEALER created at term_hang_unsent.c:$c_line (main)" "LINGER -1, the default" \
    "1 message sent to $nobody" -- "$progs/term_hang_unsent" "$nobody" open
hang_case "C, unsent message, socket closed with LINGER -1" \
    "waits for 1 closed socket with LINGER -1" "DEALER created at term_hang_unsent.c:$c_line (main)" \
    "closed with LINGER -1 (the default) after sending 1 message to $nobody" \
    -- "$progs/term_hang_unsent" "$nobody" closed
hang_case "C, socket left open in another thread" \
    "PULL still open in thread worker-1 (tid " "created at term_hang_other_thread.c:$thread_line (worker_main)" "close it there (its owner)" \
    "LINGER -1" -- "$progs/term_hang_other_thread" "ipc://$TMPDIR/pull" hang
if "$python" -c "import zmq" 2>/dev/null; then
    hang_case "Python, unsent message, ctx.term()" \
        "zmq_ctx_destroy (pyzmq's ctx.term()) waits for 1 socket that is still open" \
        "DEALER created at term_hang_unsent.py:$py_line in thread MainThread" "LINGER -1, the default" \
        -- "$python" "$source_dir/harness/tests/progs/term_hang_unsent.py" "$nobody" open
    clean_case "Python, LINGER 0 before close" -- "$python" "$source_dir/harness/tests/progs/term_hang_unsent.py" \
        "$nobody" linger0
else
    echo "note: $python cannot import zmq: the Python programs are not run"
fi
# The Python site on each interpreter of ZR_TEST_PYTHONS (interpreter
# binaries, never a pyenv shim: a shell script must not be preloaded), by
# ctypes, so that no pyzmq is needed: the line of make() and the Python
# thread names. By hand: ZR_TEST_PYTHONS="/usr/bin/python3 .../3.12.1/bin/python3 ...".
site_script=$source_dir/harness/tests/progs/python_site_ctypes.py
site_line=$(line_of python_site_ctypes.py "return global_scope.zmq_socket(ctx, DEALER)")
for interpreter in ${ZR_TEST_PYTHONS:-$python}; do
    [ -x "$interpreter" ] || continue
    log=$TMPDIR/site.log
    rm -f "$log"
    ZR_SOCKETS_LOG=$log LD_PRELOAD=$probe "$interpreter" "$site_script" >"$TMPDIR/prog.out" 2>&1
    version=$(sed -n 's/^DONE //p' "$TMPDIR/prog.out")
    for thread in MainThread worker-py; do
        # (CPython names the script by its absolute path.)
        if grep -q -F "/python_site_ctypes.py py_line=$site_line py_func=make py_thread=$thread " "$log" 2>/dev/null; then
            ok "Python $version: the socket made in $thread is at python_site_ctypes.py:$site_line"
        else
            fail "Python $version ($interpreter): no Python site for $thread"
            sed 's/^/    /' "$TMPDIR/prog.out" "$log" 2>/dev/null | tail -n 5
        fi
    done
done
clean_case "C, LINGER 0 before close" -- "$progs/term_hang_unsent" "$nobody" linger0
clean_case "C, the worker closes its socket before term" -- "$progs/term_hang_other_thread" "ipc://$TMPDIR/pull2" clean
finish
