#!/bin/sh
# Every version's own assertion line, from real runs: the cases of one
# socket shared by two threads (C and Python, blocking calls and the
# bounded waits of a long-running service) in stress and perturb modes
# on the plain builds of 4.3.2, 4.3.3, Debian's 4.3.4, 4.3.5 and trixie's
# 4.3.5 binary, ATTEMPTS attempts per cell (default 30), into
# results/assertions/. Its Symptoms table puts each assertion's line on
# every build in one row (object.cpp:166 on 4.3.2, :170 on 4.3.3 and
# 4.3.4, :142 on 4.3.5; mailbox.cpp:99 then :72).
#
# usage: ci/make-assertions.sh [LIBZMQ_SOURCES]
#   LIBZMQ_SOURCES  the folder of libzmq-4.3.{2,3,5}.tar.gz (default ../shared/libzmq;
#                   or ZR_LIBZMQ_SOURCES). The builds are made once and cached.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
sources=${1:-${ZR_LIBZMQ_SOURCES:-$top/../shared/libzmq}}
repro=$top/build/zmq-repro
[ -x "$repro" ] || { echo "make-assertions.sh: build first (./ci/run-tests.sh or cmake --build build)" >&2; exit 2; }
for v in 4.3.2 4.3.3 4.3.5; do
    [ -f "$sources/libzmq-$v.tar.gz" ] || { echo "make-assertions.sh: no $sources/libzmq-$v.tar.gz" >&2; exit 2; }
    "$repro" build "$sources/libzmq-$v.tar.gz" --flavour debug
done
"$repro" build --defaults
"$repro" build debian-binary:trixie

# Relative paths: the command line the page keeps names no folder of this machine.
cd "$top"
build/zmq-repro matrix shared-socket/broken_send_recv_threads shared-socket/broken_pyzmq_two_threads \
    shared-socket/broken_timed_send_recv_threads shared-socket/broken_pyzmq_timed_two_threads \
    -m perturb -m stress -b 4.3.2-debug -b 4.3.3-debug -b system -b 4.3.5-debug -b trixie-binary \
    -n "${ATTEMPTS:-30}" --jobs "${JOBS:-2}" -o results/assertions
