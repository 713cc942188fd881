#!/bin/sh
# The kept corpus of every fuzz target run once through it (no fuzzing:
# seconds), as a test: every input that once crashed a parser or a reader
# (regress-*) and every one that reaches a new edge must still pass under
# ASan and UBSan. Builds the targets first (build.sh: about 20 s on 2 cores the
# first time). Exit 77 (skipped) when clang-14 or its fuzzer runtime is
# absent.
#   harness/fuzz/replay.sh [BUILD_DIR]
set -u
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../../build}/fuzz
"$here/build.sh" "$out" >"${TMPDIR:-/tmp}/zr-fuzz-build.$$.log" 2>&1
rc=$?
if [ "$rc" -ne 0 ]; then
    cat "${TMPDIR:-/tmp}/zr-fuzz-build.$$.log"
    rm -f "${TMPDIR:-/tmp}/zr-fuzz-build.$$.log"
    exit "$rc"
fi
rm -f "${TMPDIR:-/tmp}/zr-fuzz-build.$$.log"
shm=/dev/shm
[ -w "$shm" ] || shm=${TMPDIR:-/tmp}
ZR_FUZZ_TMPDIR=$(mktemp -d "$shm/zr-fuzz.XXXXXX")
export ZR_FUZZ_TMPDIR
trap 'rm -rf "$ZR_FUZZ_TMPDIR"' EXIT
status=0
for src in "$here"/targets/fuzz_*.c; do
    t=$(basename "$src" .c)
    set -- "$here/corpus/$t"/*
    if [ ! -e "$1" ]; then
        echo "FAIL: $t has no kept corpus in harness/fuzz/corpus/$t"
        status=1
        continue
    fi
    # Each file once; a crash or a sanitizer report ends the target with non-zero.
    if "$out/$t" -close_fd_mask=3 -timeout=20 -rss_limit_mb=2048 "$@" >"$out/$t.replay.log" 2>&1; then
        echo "ok: $t: $# inputs"
    else
        echo "FAIL: $t (log: $out/$t.replay.log)"
        grep -m 5 -E 'ERROR|runtime error|Running:' "$out/$t.replay.log" | tail -n 5
        status=1
    fi
done
exit $status
