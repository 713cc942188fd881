#!/bin/sh
# The test command: sets up a fresh Debian/Ubuntu machine (packages, the
# instrumented libzmq), builds, and runs every test with ctest. Extra
# arguments go to ctest (e.g. -L shared-socket).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
$sudo "$top/ci/setup-debian.sh"
cmake -S "$top" -B "$top/build" >/dev/null
cmake --build "$top/build" -j "$(nproc)"
cd "$top/build"
ctest --output-on-failure -j "$(nproc)" --output-junit "$top/build/junit.xml" "$@"
