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
expect_no_leftovers
finish
