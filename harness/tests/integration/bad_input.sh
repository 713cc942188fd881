#!/bin/sh
# Wrong arguments and wrong files: a one-line message that says what to do,
# exit 2, nothing run, nothing left behind.
. "$(dirname "$0")/lib.sh"

case=hang-at-shutdown/fixed_bounded_linger
expect_exit 2 "-n 5x" "$repro" run $case -n 5x
expect_output "whole number from 1 to 100000, not '5x'"
expect_exit 2 "-n 4294967297 (atoi wrapped it to 1)" "$repro" run $case -n 4294967297
expect_exit 2 "-n 2147483647 (an unchecked calloc crashed)" "$repro" bench $case -n 2147483647
expect_exit 2 "an unknown mode" "$repro" run $case -m stresss
expect_output "unknown mode 'stresss'"
expect_exit 2 "list -L nosuchlabel" "$repro" list -L nosuchlabel
expect_output "no case has the label 'nosuchlabel'"
expect_exit 2 "run -L nosuchlabel" "$repro" run -L nosuchlabel
expect_exit 2 "an unknown case" "$repro" run no/such_case
expect_exit 2 "builds of an unknown name" "$repro" builds no-such-build
expect_output "no build named 'no-such-build'"
expect_exit 2 "--python /nonexistent" "$repro" run $case --python /nonexistent
expect_output "no such program"
expect_exit 2 "--results in an unwritable place, before anything runs" "$repro" run $case --results /proc/zr-results
expect_output "cannot create the folder /proc/zr-results"
expect_no_output "attempt 1"
expect_exit 2 "--json in an unwritable place, before anything runs" "$repro" bench $case -n 1 --json /proc/zr/figures.json
expect_no_output "attempt 1"
expect_exit 2 "ZR_TIMEOUT_MULTIPLIER=abc" env ZR_TIMEOUT_MULTIPLIER=abc "$repro" list
expect_output "ZR_TIMEOUT_MULTIPLIER must be a number"
expect_exit 2 "an unknown build" "$repro" run $case -b no-such-build
expect_output "no build named 'no-such-build'"
# Each command takes its own options, and says which.
expect_exit 2 "list --minutes 5 (an option of soak)" "$repro" list --minutes 5
expect_output "list takes no --minutes (its options: --mode --label"
expect_exit 2 "run --known-bugs (an option of check --suite)" "$repro" run $case --known-bugs
expect_output "run takes no --known-bugs"
expect_exit 0 "check --help" "$repro" check --help
expect_output "usage: zmq-repro check"
expect_output "--expect E"
expect_no_output "--minutes"
expect_exit 0 "help run" "$repro" help run
expect_output "usage: zmq-repro run CASE"
expect_exit 2 "an unknown command" "$repro" frobnicate
expect_output "unknown command 'frobnicate' (list, run, bench"
# A bisection's environment errors stop it (128), never skip a commit (125).
expect_exit 128 "bisect-step outside a libzmq checkout" sh -c 'cd "$1" && "$2" bisect-step "$3" -m stress' sh "$TMPDIR" "$repro" $case
expect_output "runs inside a libzmq checkout"
expect_exit 2 "bisect --from X --to X" "$repro" bisect $case --source "$TMPDIR/none.git" --from v1 --to v1
expect_output "--from and --to are both v1"
expect_exit 2 "bisect of a repository that is not there" "$repro" bisect $case --source "$TMPDIR/none.git" --from v1 --to v2
expect_output "does not exist"
# A build's name goes into folders, columns and tables: plain characters only.
expect_exit 2 "build --name with a newline" "$repro" build system --name "$(printf 'a\nb')"
expect_output "--name takes letters"
expect_exit 2 "build --name with a |" "$repro" build system --name 'a|b'
expect_exit 2 "build --name ''" "$repro" build system --name ''
# The watchdog counts from the moment libzmq is loaded: a slow start (3 s
# before `import zmq`) under a watchdog of 0.5 s is not the program's time.
printf 'import time\ntime.sleep(3)\nimport zmq\n' >"$TMPDIR/slow_start.py"
expect_exit 0 "a start slower than the watchdog" "$repro" check -m stress --timeout 0.5 --no-results -- "$TMPDIR/slow_start.py"
# One that never gets there within the start budget: said as such, not "a static link?".
printf 'import time\ntime.sleep(30)\nimport zmq\n' >"$TMPDIR/no_start.py"
expect_exit 2 "the watchdog before libzmq is loaded" "$repro" check -m stress --timeout 0.5 --no-results -- "$TMPDIR/no_start.py"
expect_output "the watchdog fired before the client had loaded libzmq"
expect_no_output "static link"
# A name given with --name is not silently moved to another build.
name=zr-test-name-$$
expect_exit 0 "a name for the system build" "$repro" build system --name "$name"
expect_exit 2 "the same name for another build" "$repro" build debian --flavour tsan --name "$name"
expect_output "the name $name names another build already"
expect_exit 0 "the same name for the same build again" "$repro" build system --name "$name"
rm -f "${ZR_CACHE_DIR:-$HOME/.cache/zmq-repro}/builds/$name"
# --expect is read by the case headers' parser and rules.
expect_exit 2 "check --expect ''" "$repro" check -m stress --no-results --expect '' -- /bin/true
expect_output "needs at least one outcome"
expect_exit 2 "check --expect 'CLEAN ASSERT'" "$repro" check -m stress --no-results --expect 'CLEAN ASSERT' -- /bin/true
expect_output "mixes CLEAN with ASSERT"
expect_exit 2 "check --expect TSAN:bogus-kind" "$repro" check -m stress --no-results --expect TSAN:bogus-kind -- /bin/true
expect_output "not a kind of TSan report"
expect_exit 2 "check --expect HANG:" "$repro" check -m stress --no-results --expect HANG: -- /bin/true
expect_output "'HANG:' has an empty text"
expect_exit 2 "a tsan-only build for stress mode in check" "$repro" check -m stress -b debian-tsan -- /bin/true
expect_output "none of the builds named with -b can run in stress mode"

# compare: documents that are not two bench files.
echo '{"cases":[{}]}' >"$TMPDIR/empty-row.json"
expect_exit 2 "compare on {\"cases\":[{}]} (it crashed)" "$repro" compare "$TMPDIR/empty-row.json" "$TMPDIR/empty-row.json"
printf '{"kind":"bench","cases":[{}]}' >"$TMPDIR/bad-row.json"
expect_exit 2 "compare on a row without fields" "$repro" compare "$TMPDIR/bad-row.json" "$TMPDIR/bad-row.json"
expect_output "bad-row.json: cases\\[0\\].case: missing (a string is needed)"
"$repro" run $case -m stress -n 1 -q -r "$results" >/dev/null 2>&1
run_result=$(ls "$results"/*.json | head -n 1)
expect_exit 2 "compare on two run results (it said 0 changed)" "$repro" compare "$run_result" "$run_result"
expect_output "is not the figures of .zmq-repro bench. (a run document)"
expect_exit 2 "compare on a missing file" "$repro" compare "$TMPDIR/none.json" "$TMPDIR/none.json"

# -v shows the client's command and environment.
expect_exit 0 "-v" "$repro" run $case -m stress -n 1 -v --no-results
expect_output "client: .*fixed_bounded_linger ipc://"
expect_output "LD_PRELOAD=.*libzr_loaded.so"

expect_no_leftovers
finish
