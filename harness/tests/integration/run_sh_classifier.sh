#!/bin/sh
# A bundle's run.sh says what each run showed by a classifier of its own
# (grep and the exit status); the harness says it by core/classify.c. Both
# are fed the same captured outputs (harness/tests/fixtures/: TSan reports,
# libzmq's assertions, CPython's fatal errors and faulthandler's dumps),
# printed by one real program (harness/tests/progs/emit_output.c) that ends
# the way the captured run ended: the class run.sh's classify() gives, after
# its own watch(), is the harness's outcome, line for line.
. "$(dirname "$0")/lib.sh"

fixtures=$source_dir/harness/tests/fixtures
emit_src=$source_dir/harness/tests/progs/emit_output.c
emit=$TMPDIR/emit_output
cc -O2 -g -o "$emit" "$emit_src" -lzmq || { fail "emit_output does not build"; finish; }

# run.sh, from a bundle of a real check result (the TSan report printed by
# the program): its classify() and watch() functions, as the script has them.
expect_exit 1 "check of the program printing a TSan report" env ZR_RESULTS_DIR="$results/bundle" \
    "$repro" check -t ipc -m stress --server none -n 1 -- "$emit_src" '{endpoint}' \
    "$fixtures/tsan_data_race_mailbox.txt" exit:66
expect_exit 0 "a bundle of its result" "$repro" bundle "$(ls "$results"/bundle/*.json | head -n 1)" -o "$TMPDIR/b"
run_sh=$(ls "$TMPDIR"/b/*/run.sh | head -n 1)
sed -n '/^classify() {$/,/^}$/p; /^signal_of_its_own() {$/,/^}$/p; /^watch() {$/,/^}$/p' "$run_sh" \
    >"$TMPDIR/functions.sh"
grep -q '^classify() {' "$TMPDIR/functions.sh" && grep -q '^watch() {' "$TMPDIR/functions.sh" &&
    ok "run.sh's classify() and watch() extracted" || { fail "no classify() or watch() in $run_sh"; finish; }

# The same as a script, for CPython's own fatal errors (only an interpreter prints one).
emit_py=$TMPDIR/emit_output.py
cat >"$emit_py" <<'PY'
import os, sys
import zmq
zmq.Context().term()
sys.stderr.write(open(sys.argv[2]).read())
sys.stderr.flush()
os.abort()
PY

# What run.sh says of one run of the program, run as run.sh runs a client.
run_sh_class() { # FILE HOW [STDOUT-LINE]
    (
        tmp=$TMPDIR/run_sh
        rm -rf "$tmp" && mkdir -p "$tmp"
        ticks=40
        sanitizer=$([ "$mode" = tsan ] && echo tsan || echo none)
        client_kind=$kind
        . "$TMPDIR/functions.sh"
        hung=no
        if [ "$kind" = python ]; then
            /usr/bin/python3 "$emit_py" "ipc://$tmp/nobody-listens-here" "$@" >"$tmp/out" 2>"$tmp/err" &
        else
            "$emit" "ipc://$tmp/nobody-listens-here" "$@" >"$tmp/out" 2>"$tmp/err" &
        fi
        client=$!
        watch $client
        wait $client 2>/dev/null
        rc=$?
        classify
    )
}

# What the harness says of one run of the same program: its outcome, as a class.
# A report counts only where its runtime ran: TSan's under the tsan mode
# (mode=tsan), CPython's from an interpreter (kind=python: the same output
# printed by a script that then aborts as the program would).
mode=stress kind=native
harness_class() { # FILE HOW [STDOUT-LINE]
    mkdir -p "$results"
    dir=$(mktemp -d "$results/check.XXXXXX")
    program=$emit
    [ "$kind" = python ] && program=$emit_py
    # --done: a bundle of a case judges by the cases' contract, as the case does.
    env ZR_RESULTS_DIR="$dir" "$repro" check -t ipc -m "$mode" --server none --done -n 1 -- "$program" '{endpoint}' "$@" \
        >"$TMPDIR/check.out" 2>&1
    result=$(ls "$dir"/*.json 2>/dev/null | head -n 1)
    [ -n "$result" ] || { echo "no-result"; return; }
    python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["attempts"][0]["outcome"].lower().replace("_", "-"))' "$result"
}

# agree WANT FILE HOW [STDOUT-LINE]: both classifiers say WANT.
agree() {
    want=$1
    shift
    name=$(basename "$1")
    mine=$(run_sh_class "$@")
    theirs=$(harness_class "$@")
    if [ "$mine" = "$want" ] && [ "$theirs" = "$want" ]; then ok "$name ($*): both say $want"; else
        fail "$name ($*): run.sh says $mine, the harness $theirs, wanted $want"
        sed 's/^/    /' "$TMPDIR/check.out" | tail -n 5
    fi
}

# TSan reports: TSan's exit status after a report is 66; under TSan they are
# TSan's, without it the program's own text.
mode=tsan
for f in "$fixtures"/tsan_*.txt; do agree tsan "$f" exit:66; done
mode=stress
agree exit "$fixtures/tsan_data_race_mailbox.txt" exit:66
# libzmq's aborts, the build's own path or src/ (zmq_assert, errno_assert).
for f in "$fixtures"/stderr_assert_*.txt; do agree assert "$f" abort; done
# CPython's own fatal error, and faulthandler's lines for a fatal signal.
kind=python
agree fatal-python "$fixtures/stderr_fatal_python_error.txt" abort
kind=native
agree signal "$fixtures/stderr_fatal_python_error.txt" abort
agree signal "$fixtures/stderr_faulthandler_sigsegv.txt" signal:11
agree signal "$fixtures/stderr_faulthandler_python_shared_socket_stress.txt" abort
agree signal "$fixtures/stderr_faulthandler_native_thread_gil.txt" abort
# A program that stops: a hang, whatever it printed before (no report in it).
agree hang "$fixtures/stderr_faulthandler_python_bus_tsan.txt" hang
agree hang /dev/null hang
# The ends of a run with no report: clean, noise, loss, exit.
printf 'a warning of the program'"'"'s own\n' >"$TMPDIR/noise.txt"
agree clean /dev/null exit:0 "DONE sent=5 received=5"
agree noise "$TMPDIR/noise.txt" exit:0 "DONE sent=5 received=5"
agree loss /dev/null exit:0 "DONE sent=5 received=4"
agree exit /dev/null exit:3
agree exit /dev/null exit:0
# A non-zero status after DONE is an exit, whatever DONE said.
agree exit /dev/null exit:1 "DONE sent=5 received=5"
agree exit "$TMPDIR/noise.txt" exit:1 "DONE sent=5 received=4"
# No verdict at all: killed from outside, not started, TSan that could not start.
agree error /dev/null signal:15
agree error /dev/null signal:9
agree error /dev/null exit:127
printf 'FATAL: ThreadSanitizer: unexpected memory mapping 0x5e4f0e7c4000-0x5e4f0e7c5000\n' >"$TMPDIR/tsan_fatal.txt"
agree error "$TMPDIR/tsan_fatal.txt" exit:66
# Captured outputs, edited where run.sh's greps once differed from the
# harness's: a libzmq abort whose __FILE__ has no src/ (a build with
# -ffile-prefix-map), CPython's fatal error in a function whose name starts
# with a capital that faulthandler's signal lines also start with.
sed 's#(src/#(#' "$fixtures/stderr_assert_pipe_394.txt" >"$TMPDIR/assert_no_src.txt"
agree assert "$TMPDIR/assert_no_src.txt" abort
sed 's/PyThreadState_Get/Init_extension_module/' "$fixtures/stderr_fatal_python_error.txt" >"$TMPDIR/fatal_capital.txt"
kind=python
agree fatal-python "$TMPDIR/fatal_capital.txt" abort
kind=native
# The last DONE line counts, as the harness reads it.
agree loss /dev/null exit:0 "$(printf 'DONE sent=5 received=5\nDONE sent=10 received=9')"
expect_no_leftovers
finish
