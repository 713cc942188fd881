#!/bin/sh
# Judges one program of the corpus with `zmq-repro check` in every mode its
# header names, and asserts the verdict the header states (README.md here).
# usage: run_program.sh BUILD_DIR SOURCE_DIR PROGRAM [ATTEMPTS]
# Each mode runs ATTEMPTS times (default 2) with --every-attempt: every run
# must show the expected outcome, a correct program CLEAN in each.
. "$2/harness/tests/integration/lib.sh"
program=$3
attempts=${4:-2}
name=$(basename "$program")

# The header's tags: "@tag value..." on comment lines (" * ", "# ", "// ").
tags=$(sed -n 's,^[[:space:]]*\(\*\|#\|//\)[[:space:]]*@\([a-z-]*\)[[:space:]]*\(.*\)$,\2 \3,p' "$program")
tag_values() { printf '%s\n' "$tags" | sed -n "s/^$1 //p"; }

server=$(tag_values server)
args=$(tag_values args)
[ -n "$server" ] || { fail "$name: no @server tag"; finish; }
[ -n "$(tag_values expect)" ] || { fail "$name: no @expect tag"; finish; }

tag_values expect >"$TMPDIR/expects"
while read -r mode outcomes; do
    # shellcheck disable=SC2086 # the arguments are words of the header
    expect_exit 0 "$name [$mode]: $outcomes in $attempts of $attempts runs" \
        "$repro" check -t ipc -m "$mode" --server "$server" --expect "$outcomes" -n "$attempts" \
        --every-attempt --no-results -- "$program" $args
    tag_values says >"$TMPDIR/says"
    while read -r text; do
        [ "$outcomes" = CLEAN ] || expect_output "$text"
    done <"$TMPDIR/says"
    # A correct program needs no DONE line, and nothing in its output counts as one.
    expect_no_output "without DONE"
done <"$TMPDIR/expects"
expect_no_leftovers
finish
