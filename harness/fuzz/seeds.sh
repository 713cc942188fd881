#!/bin/sh
# Writes the seed inputs of every target into DIR/<target>/ (default:
# corpus/ here) from the real captured output and documents of the
# repository: harness/tests/fixtures (TSan reports, libzmq assertions,
# CPython's fatal errors, eu-stack and faulthandler dumps), the ownership
# checker's reports as its README shows them, results/comparison/matrix.json
# and documents made like the harness makes them (documents/ here). Seeds
# are named seed-*; libFuzzer's own finds are named by their sha1.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$here/../..
fx=$top/harness/tests/fixtures
out=${1:-$here/corpus}
rs=$(printf '\036')
mkdir -p "$out/fuzz_tsan_report" "$out/fuzz_owner_report" "$out/fuzz_classify" "$out/fuzz_stacks" \
    "$out/fuzz_matrix" "$out/fuzz_result" "$out/fuzz_bench"

for f in "$fx"/tsan_*.txt "$fx"/stderr_*.txt; do
    n=$(basename "$f" .txt)
    head -c 65536 "$f" >"$out/fuzz_tsan_report/seed-$n"
    # classify: flags (exited), exit code 66, no server, an expectation pick; stdout, stderr, no stacks.
    { printf '\001\102\000\021'; printf 'DONE sent=3 received=3\n%s' "$rs"; head -c 65536 "$f"; } \
        >"$out/fuzz_classify/seed-exit-$n"
    # ... and killed by SIGABRT (6) with the checker and TSan loaded.
    { printf '\000\006\040\042'; printf '%s' "$rs"; head -c 65536 "$f"; } >"$out/fuzz_classify/seed-abort-$n"
done
# The checker's real reports (harness/owner/README.md's code blocks that hold one).
awk -v dir="$out/fuzz_owner_report" '
    /^```/ { if (inblock) { if (text ~ /zmq-owner:/) { n++; f = dir "/seed-owner-readme-" n; printf "%s", text > f; close(f) }
             inblock = 0; text = "" } else inblock = 1; next }
    inblock { text = text $0 "\n" }' "$top/harness/owner/README.md"
for f in "$out"/fuzz_owner_report/seed-owner-readme-*; do
    n=$(basename "$f")
    { printf '\000\006\040\060'; printf '%s' "$rs"; cat "$f"; } >"$out/fuzz_classify/seed-$n"
done
for f in "$fx"/eu_stack_*.txt; do
    n=$(basename "$f" .txt)
    py=$(ls "$fx"/stderr_faulthandler_*"${n#eu_stack_hang_}"*.txt 2>/dev/null | head -n 1 || true)
    { cat "$f"; printf '%s' "$rs"; [ -n "$py" ] && cat "$py"; true; } >"$out/fuzz_stacks/seed-$n"
    # classify: a hang (timed out), the server idle with every request answered, stacks taken.
    { printf '\002\011\070\200'; printf '%s' "$rs"; [ -n "$py" ] && cat "$py"; printf '%s' "$rs"; cat "$f"; } \
        >"$out/fuzz_classify/seed-hang-$n"
done
# The JSON documents kept in documents/ (real ones, long texts cut: see its README).
for f in "$here"/documents/*.json; do
    [ -e "$f" ] || continue
    n=$(basename "$f")
    case $n in
    matrix-*) cp "$f" "$out/fuzz_matrix/seed-$n" ;;
    result-*) cp "$f" "$out/fuzz_result/seed-$n" ;;
    bench-*) cp "$f" "$out/fuzz_bench/seed-$n" ;;
    esac
done
