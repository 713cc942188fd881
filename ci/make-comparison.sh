#!/bin/sh
# The committed comparison of the libzmq builds that can be had here, made
# again: Debian's 4.3.4 source (instrumented and plain), Debian's 4.3.4
# binary, the 4.3.2, 4.3.3 and 4.3.5 release trees (instrumented and plain)
# and trixie's 4.3.5 binary; every case in every mode, ATTEMPTS attempts per
# cell (default 5), into results/comparison/ (matrix.json, matrix.md,
# index.html, reports/). The record of the bisection of #3792's fix
# (results/bisect/, made by `zmq-repro bisect`) names the commit on the row
# that changes at 4.3.3.
#
# usage: ci/make-comparison.sh [LIBZMQ_SOURCES]
#   LIBZMQ_SOURCES  the folder of libzmq-4.3.{2,3,5}.tar.gz (default ../shared/libzmq;
#                   or ZR_LIBZMQ_SOURCES). The builds are made once and cached.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
sources=${1:-${ZR_LIBZMQ_SOURCES:-$top/../shared/libzmq}}
repro=$top/build/zmq-repro
[ -x "$repro" ] || { echo "make-comparison.sh: build first (./ci/run-tests.sh or cmake --build build)" >&2; exit 2; }
for v in 4.3.2 4.3.3 4.3.5; do
    [ -f "$sources/libzmq-$v.tar.gz" ] || { echo "make-comparison.sh: no $sources/libzmq-$v.tar.gz" >&2; exit 2; }
done

# One-time builds (cached: a second run of this script makes none).
"$repro" build --defaults
"$repro" build debian --flavour debug
for v in 4.3.2 4.3.3 4.3.5; do
    for flavour in tsan debug; do
        "$repro" build "$sources/libzmq-$v.tar.gz" --flavour $flavour
    done
done
"$repro" build debian-binary:trixie

# Run from the top with relative paths, so that the command line the
# comparison keeps names no folder of this machine.
cd "$top"
start=$(date +%s)
build/zmq-repro matrix all -n "${ATTEMPTS:-5}" --jobs "${JOBS:-2}" -o results/comparison \
    --bisect results/bisect/hang-at-shutdown-broken_socket_after_ctx_shutdown-stress.json \
    -b 4.3.2-tsan -b 4.3.3-tsan -b debian-tsan -b 4.3.5-tsan \
    -b 4.3.2-debug -b 4.3.3-debug -b debian-debug -b system -b 4.3.5-debug -b trixie-binary
echo "make-comparison.sh: the matrix took $(( $(date +%s) - start )) s (one-time builds excluded)"
