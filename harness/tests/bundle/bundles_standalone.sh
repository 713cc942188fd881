#!/bin/sh
# A bundle needs nothing of this repository: a C bundle and a Python bundle,
# made here, are unpacked in an empty folder and run there with a bare
# environment; each builds with its one cc line and reproduces.
. "$(dirname "$0")/../integration/lib.sh"

for case in hang-at-shutdown/broken_default_linger_unsent hang-at-shutdown/broken_unsent_default_linger; do
    name=$(echo "$case" | tr '/' '-')-stress
    expect_exit 0 "bundle $case" "$repro" bundle "$case" -m stress -n 2 -t ipc -o "$TMPDIR/made"
    expect_output "bundle: $TMPDIR/made/$name/"
    [ -s "$TMPDIR/made/$name.tar.gz" ] && ok "$name.tar.gz written" || fail "no $name.tar.gz"
    empty=$TMPDIR/empty-$name
    mkdir -p "$empty"
    cp "$TMPDIR/made/$name.tar.gz" "$empty/"
    (cd "$empty" && tar -xzf "$name.tar.gz")
    if grep -q "$source_dir" "$empty/$name/run.sh"; then fail "run.sh refers to the repository"; else ok "run.sh stands alone"; fi
    for field in "# Issue description" "# Environment" "* libzmq version" "* OS:" \
                 "# Minimal test code / Steps to reproduce the issue" \
                 "# What's the actual result? (include assertion message & call stack if applicable)" \
                 "# What's the expected result?" "Reproduced here in"; do
        grep -qF -- "$field" "$empty/$name/ISSUE.md" || fail "ISSUE.md lacks: $field"
    done
    case $name in *unsent_default_linger*)
        for field in "What pyzmq version?" "What libzmq version?" "Python version (and how it was installed)"; do
            grep -qF -- "$field" "$empty/$name/ISSUE.md" || fail "ISSUE.md lacks pyzmq's field: $field"
        done ;;
    esac
    expect_exit 0 "$name reproduces from an empty folder" \
        env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$empty" TMPDIR="$TMPDIR" "$empty/$name/run.sh" 2
    expect_output "reproduced in 2 of 2 runs"
done

# run.sh keeps its timeout when it is a fraction of a second (the watchdogs
# are) and the client keeps using CPU, so that no-progress cannot end it.
py=$TMPDIR/empty-hang-at-shutdown-broken_unsent_default_linger-stress/hang-at-shutdown-broken_unsent_default_linger-stress
echo 'while True: pass' >"$py/broken_unsent_default_linger.py"
expect_exit 0 "run.sh ends a busy client at a fractional TIMEOUT" \
    env -i PATH=/usr/local/bin:/usr/bin:/bin TMPDIR="$TMPDIR" TIMEOUT=0.5 timeout 20 "$py/run.sh" 1
expect_output "run 1: hang"
expect_exit 2 "run.sh refuses TIMEOUT=abc" env -i PATH=/usr/bin:/bin TIMEOUT=abc "$py/run.sh" 1
expect_output "TIMEOUT must be a number of seconds above 0"
expect_exit 2 "run.sh refuses 0 runs" env -i PATH=/usr/bin:/bin "$py/run.sh" 0
expect_output "RUNS must be a whole number above 0"
expect_no_leftovers
finish
