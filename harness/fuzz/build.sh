#!/bin/sh
# Builds the fuzz targets with clang-14 (libFuzzer, ASan, UBSan) into DIR
# (default: build/fuzz beside the sources). Incremental: a second call only
# rebuilds what changed. Exit 77 when clang-14 or its fuzzer runtime
# (Debian's clang-14 and libclang-rt-14-dev) is absent.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../../build/fuzz}
cc=$(command -v clang-14 || command -v clang || true)
if [ -z "$cc" ]; then
    echo "build.sh: clang-14 is not installed (apt-get install clang-14 libclang-rt-14-dev)" >&2
    exit 77
fi
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' >"$probe/p.c"
if ! "$cc" -fsanitize=fuzzer,address,undefined "$probe/p.c" -o "$probe/p" 2>"$probe/log"; then
    echo "build.sh: $cc cannot link a libFuzzer target (apt-get install libclang-rt-14-dev): $(head -n 3 "$probe/log")" >&2
    exit 77
fi
cmake -S "$here" -B "$out" -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=None >"$probe/cmake.log" 2>&1 ||
    { cat "$probe/cmake.log" >&2; exit 2; }
cmake --build "$out" -j2
