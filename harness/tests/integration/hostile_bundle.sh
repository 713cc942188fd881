#!/bin/sh
# A bundle of a program with a hostile name, and bundles over places and
# results that are not what they should be. The program is a real broken
# case (pyzmq #991's hang) copied under the name `y;touch B;$(touch B2).py`:
# its run.sh runs it as one word and runs nothing else. A bundle never
# overwrites or packs a folder of the user's; a prebuilt binary whose path
# holds ".c" is not a source; a result with a field missing says which.
. "$(dirname "$0")/lib.sh"

mkdir -p "$TMPDIR/prog"
name='y;touch B;$(touch B2)'
prog="$TMPDIR/prog/$name.py"
cp "$source_dir/pyclients/hang-at-shutdown/broken_unsent_default_linger.py" "$prog"
expect_exit 0 "check of a program named $name.py" env ZR_RESULTS_DIR="$results" \
    "$repro" check -t ipc -m stress --server none --expect HANG -n 1 -- "$prog" '{endpoint}'
result=$(ls "$results"/*.json | head -n 1)
[ -s "$result" ] && ok "its result: $result" || fail "no result written"

made=$TMPDIR/made
bundle=$made/$name-stress
expect_exit 0 "bundle of its result" "$repro" bundle "$result" -o "$made"
expect_output "bundle: $made/"
grep -qF "./'$name.py'" "$bundle/run.sh" && ok "run.sh names the program as one quoted word" ||
    fail "run.sh does not quote the name: $(grep -n touch "$bundle/run.sh" | head -n 3)"

# Unpacked elsewhere, run with no environment at all (not even PATH: cc and
# the shell's tools must still be found), in a folder of its own.
empty=$TMPDIR/empty
mkdir -p "$empty"
(cd "$empty" && tar -xzf "$bundle.tar.gz")
here=$empty/$name-stress
expect_exit 0 "its run.sh reproduces under env -i" env -i HOME="$empty" TMPDIR="$TMPDIR" "$here/run.sh" 1
expect_output "reproduced in 1 of 1 runs"
found=$(find "$TMPDIR" -name B -o -name B2 | head -n 3)
[ -z "$found" ] && ok "no file B or B2 was made: the name ran nothing" || fail "the name was run: $found"

# RUNS the shell cannot count, and a first-report.txt of an earlier run.
expect_exit 2 "run.sh refuses RUNS=00" env -i TMPDIR="$TMPDIR" "$here/run.sh" 00
expect_output "RUNS must be a whole number above 0"
expect_no_output "of 00 runs"
expect_exit 2 "run.sh refuses a huge RUNS" env -i TMPDIR="$TMPDIR" "$here/run.sh" 99999999999999999999
expect_output "RUNS must be a whole number above 0"
expect_no_output "Illegal number"
echo "STALE: from an earlier run" >"$here/first-report.txt"
printf 'print("DONE sent=1 received=1")\n' >"$here/$name.py" # now clean: nothing reproduces
expect_exit 1 "run.sh with a clean client" env -i TMPDIR="$TMPDIR" "$here/run.sh" 1
expect_output "reproduced in 0 of 1 runs"
expect_no_output "first reproduction's output is in first-report.txt"
if grep -qs STALE "$here/first-report.txt"; then fail "a stale first-report.txt is left as this run's"; else
    ok "no stale first-report.txt"; fi

# The tarball holds what the bundle wrote, nothing else.
members=$(tar -tzf "$bundle.tar.gz" | sed "s|^$name-stress/||" | sort | tr '\n' ' ')
[ "$members" = "ISSUE.md report.txt run.sh $name.py " ] && ok "the tarball holds the bundle's files only" ||
    fail "the tarball holds: $members"

# A target that is not empty: the user's own files are neither overwritten nor packed.
user=$TMPDIR/user
mkdir -p "$user/$name-stress"
for f in run.sh ISSUE.md notes.txt; do echo "the user's own $f" >"$user/$name-stress/$f"; done
expect_exit 2 "bundle into a folder holding the user's files" "$repro" bundle "$result" -o "$user"
expect_output "already exists and is not an empty folder"
for f in run.sh ISSUE.md notes.txt; do
    [ "$(cat "$user/$name-stress/$f")" = "the user's own $f" ] || fail "$f was overwritten"
done
[ ! -e "$user/$name-stress.tar.gz" ] && ok "nothing packed, nothing overwritten" || fail "a tarball was made"
expect_exit 2 "bundle again over the same bundle" "$repro" bundle "$result" -o "$made"
expect_output "already exists"
mkdir -p "$TMPDIR/fresh/$name-stress"
expect_exit 0 "bundle into an empty folder of that name" "$repro" bundle "$result" -o "$TMPDIR/fresh"
rm -rf "$TMPDIR/fresh"

# Results that are not what they should be, each made from the real one.
damage() { # damage OUT PYTHON-STATEMENT: a copy of the result with d changed
    python3 - "$result" "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
exec(sys.argv[3])
json.dump(d, open(sys.argv[2], "w"))
PY
}
mkdir -p "$TMPDIR/tools.current"
cp "$build/tests/progs/sleep_then_exit" "$TMPDIR/tools.current/prog"
damage "$TMPDIR/binary.json" "d['file'] = '$TMPDIR/tools.current/prog'; d['language'] = 'binary'"
expect_exit 2 "a prebuilt binary under tools.current/ is no source" "$repro" bundle "$TMPDIR/binary.json" -o "$TMPDIR/b1"
expect_output "not a source file"
[ ! -e "$TMPDIR/b1/prog-stress" ] && ok "no bundle of a binary" || fail "a binary was bundled as C"
damage "$TMPDIR/nolang.json" "del d['language']"
expect_exit 2 "a result without its language" "$repro" bundle "$TMPDIR/nolang.json" -o "$TMPDIR/b2"
expect_output "nolang.json: language: missing (a string is needed)"
damage "$TMPDIR/nooutcome.json" "del d['attempts'][0]['outcome']"
expect_exit 2 "an attempt without its outcome" "$repro" bundle "$TMPDIR/nooutcome.json" -o "$TMPDIR/b3"
expect_output "nooutcome.json: attempts\[0\].outcome: missing (a string is needed)"
damage "$TMPDIR/nosignature.json" "[(a.pop('signature', None), a.pop('symptom', None)) for a in d['attempts']]"
expect_exit 0 "a result whose attempts lack a signature" "$repro" bundle "$TMPDIR/nosignature.json" -o "$TMPDIR/b4"
if grep -q "(null)" "$TMPDIR/b4/$name-stress/ISSUE.md"; then fail "ISSUE.md says (null)"; else
    ok "ISSUE.md never says (null)"; fi
# A name that would retitle the terminal and clear it when printed.
evil=$(printf 'evil\033]0;retitled\007\033[2J')
cp "$prog" "$TMPDIR/prog/$evil.py"
damage "$TMPDIR/escape.json" "d['file'] = '$TMPDIR/prog/' + '\\x1b'.join(['evil', ']0;retitled\\x07', '[2J']) + '.py'"
expect_exit 0 "a program whose name holds terminal escapes" "$repro" bundle "$TMPDIR/escape.json" -o "$TMPDIR/b5"
expect_output 'evil\\x1b]0;retitled\\x07\\x1b\[2J'
if grep -q "$(printf '\033')" "$TMPDIR/out"; then fail "an escape sequence reached the terminal"; else
    ok "no escape sequence on the terminal"; fi
# A result that names another file of this machine than the one that ran:
# never packed for upstream (the result carries the sha256 of what ran).
printf 'SECRET = "not for upstream"\n' >"$TMPDIR/secret.py"
damage "$TMPDIR/other.json" "d['file'] = '$TMPDIR/secret.py'"
expect_exit 2 "a result that names another file" "$repro" bundle "$TMPDIR/other.json" -o "$TMPDIR/b6"
expect_output "is not the one that ran (its sha256 differs)"
if grep -rqs "not for upstream" "$TMPDIR/b6"; then fail "the other file was packed"; else ok "the other file was not packed"; fi
damage "$TMPDIR/nosha.json" "d.pop('file_sha256', None)"
expect_exit 2 "a result without the sha256 of what ran" "$repro" bundle "$TMPDIR/nosha.json" -o "$TMPDIR/b7"
expect_output "does not say the sha256 of the file that ran"

expect_no_leftovers
finish
