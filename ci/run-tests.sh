#!/bin/sh
# The test command: sets up a fresh Debian/Ubuntu machine (packages, the
# default libzmq builds), builds, and runs every test with ctest (the soak
# and the tests that build libzmq releases, which run for minutes, are left
# out: ctest -L soak, ctest -L versions, ctest -L python-ft). Extra arguments go to ctest (e.g.
# -L shared-socket).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
$sudo "$top/ci/setup-debian.sh"
cmake -S "$top" -B "$top/build" >/dev/null
cmake --build "$top/build" -j "$(nproc)"
# The default builds (Debian's libzmq, and its source built instrumented):
# made once and cached, so that ctest's time is the tests' own.
"$top/build/zmq-repro" build --defaults
cd "$top/build"
ctest --output-on-failure -j "$(nproc)" -LE 'soak|versions|python-ft' --output-junit "$top/build/junit.xml" "$@"
