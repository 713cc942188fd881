#!/bin/sh
# The figure behind the bundles: for each broken case (or those named), in
# stress and tsan mode, the reproduction rate in the harness (zmq-repro
# bundle runs it RUNS times) and the rate of its standalone bundle run RUNS
# times from an empty folder, on the same libzmq (LIBZMQ_PREFIX): the
# default builds, or 4.3.2's for a case that libzmq fixed later (@fixed-in).
#
# usage: ci/bundle-rates.sh [CASE...]      RUNS (default 20)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
repro=$top/build/zmq-repro
runs=${RUNS:-20}
cases=${*:-$("$repro" list -L broken | awk 'NR > 1 { print $1 }' | sort -u)}
work=$(mktemp -d "${TMPDIR:-/tmp}/bundle-rates.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
printf '%-58s %-6s %-12s %-12s %-12s\n' CASE MODE BUILD HARNESS BUNDLE
for case in $cases; do
    for mode in stress tsan; do
        "$repro" list "$case" -m "$mode" >/dev/null 2>&1 || continue
        if "$repro" list "$case" -m "$mode" | grep -q '(from libzmq'; then
            build=4.3.2-$([ $mode = tsan ] && echo tsan || echo debug)
        else
            build=$([ $mode = tsan ] && echo debian-tsan || echo system)
        fi
        prefix=
        [ "$build" = system ] || prefix=$("$repro" builds "$build") || continue
        out=$("$repro" bundle "$case" -m "$mode" -b "$build" -n "$runs" -o "$work/made" 2>&1) || {
            printf '%-58s %-6s %-12s %s\n' "$case" "$mode" "$build" "not bundled: $(echo "$out" | tail -n 1)"
            continue
        }
        name=$(echo "$case" | tr '/' '-')-$mode
        harness=$(sed -n 's/^Reproduced here in \([0-9]* of [0-9]*\) runs.*/\1/p' "$work/made/$name/ISSUE.md")
        empty=$work/empty-$name
        mkdir -p "$empty" && (cd "$empty" && tar -xzf "$work/made/$name.tar.gz")
        bundle=$(env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$empty" ${prefix:+LIBZMQ_PREFIX="$prefix"} \
            "$empty/$name/run.sh" "$runs" 2>&1 | sed -n 's/^reproduced in \([0-9]* of [0-9]*\) runs/\1/p')
        printf '%-58s %-6s %-12s %-12s %-12s\n' "$case" "$mode" "$build" "$harness" "${bundle:-failed}"
    done
done
