#!/bin/sh
# The committed comparison of the Pythons that can be had here, made again:
# every Python case in every mode on Debian bookworm's 3.11 with pyzmq 24,
# trixie's 3.13 with pyzmq 26, sid's 3.14 with pyzmq 27 and a free-threaded
# 3.13t built here with pyzmq 27, on the system libzmq (tsan mode on the
# instrumented debian-tsan), ATTEMPTS attempts per cell (default 5), into
# results/python-comparison/ (matrix.json, matrix.md, index.html, reports/).
# python:trixie and python:sid are fetched from Debian's mirrors (seconds);
# python:3.13t is built from Debian's source tarballs (minutes, once).
#
# usage: ci/make-python-comparison.sh
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
repro=$top/build/zmq-repro
[ -x "$repro" ] || { echo "make-python-comparison.sh: build first (./ci/run-tests.sh or cmake --build build)" >&2; exit 2; }

"$repro" build --defaults
for python in python:bookworm python:trixie python:sid python:3.13t; do
    "$repro" build "$python"
done

# Run from the top with relative paths, so that the command line the
# comparison keeps names no folder of this machine.
cd "$top"
start=$(date +%s)
build/zmq-repro matrix -L python -n "${ATTEMPTS:-5}" --jobs "${JOBS:-2}" -o results/python-comparison \
    -b system -b debian-tsan \
    --python python:bookworm --python python:trixie --python python:sid --python python:3.13t
echo "make-python-comparison.sh: the matrix took $(( $(date +%s) - start )) s (one-time builds excluded)"
