#!/bin/sh
# The main job: sets up a fresh Debian/Ubuntu machine, builds, then runs every
# case in every mode through the benchmark, which prints per case and mode the
# attempts, reproduction rate, time to detect and clean runs, and writes them
# as JSON under results/bench/. ATTEMPTS sets the attempts per case and mode.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
$sudo "$top/ci/setup-debian.sh"
cmake -S "$top" -B "$top/build" >/dev/null
cmake --build "$top/build" -j "$(nproc)"
"$top/build/zmq-repro" build --defaults
exec "$top/build/zmq-repro" bench -n "${ATTEMPTS:-10}" "$@"
