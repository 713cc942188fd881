#!/bin/sh
# Fuzzes each target for MINUTES (default 10), one at a time and at the
# lowest priority, from its kept corpus (corpus/<target>/) and the seeds of
# the repository's real fixtures (seeds.sh), then merges what it found into
# a minimal corpus kept in corpus/<target>/ (the regress-* inputs, each the
# input of a fixed finding, are always kept).
#   harness/fuzz/run.sh [-m MINUTES] [TARGET...]    (default: every target)
# A crash or sanitizer finding stops that target: its input is in
# build/fuzz/artifacts/<target>/, and the run's log in build/fuzz/logs/.
# Prints per target: minutes, executions, findings, corpus files and size
# (the files' bytes, not the disk blocks they take).
set -u
here=$(cd "$(dirname "$0")" && pwd)
minutes=10
if [ "${1:-}" = "-m" ]; then minutes=$2; shift 2; fi
out=$here/../../build/fuzz
"$here/build.sh" "$out" >/dev/null || exit $?
targets=${*:-$(cd "$here/targets" && ls fuzz_*.c | sed 's/\.c$//')}
seconds=$(awk -v m="$minutes" 'BEGIN { printf "%d", m * 60 }')
"$here/seeds.sh" "$out/seeds"
# The folder the document targets write in (merge, bundle), removed at the end.
shm=/dev/shm
[ -w "$shm" ] || shm=${TMPDIR:-/tmp}
ZR_FUZZ_TMPDIR=$(mktemp -d "$shm/zr-fuzz.XXXXXX")
export ZR_FUZZ_TMPDIR
trap 'rm -rf "$ZR_FUZZ_TMPDIR"' EXIT
status=0
for t in $targets; do
    # Inputs are cut at max_len bytes: a report's structure shows in a few
    # KB (the fixtures run up to 264 KB), a document's in a few more; the
    # kept corpus stays small.
    case $t in
    fuzz_matrix | fuzz_result | fuzz_bench) max_len=${ZR_FUZZ_MAX_LEN:-16384} ;;
    *) max_len=${ZR_FUZZ_MAX_LEN:-4096} ;;
    esac
    kept=$here/corpus/$t
    work=$out/work/$t
    mkdir -p "$kept" "$work" "$out/artifacts/$t" "$out/logs"
    log=$out/logs/$t.log
    nice -n 19 "$out/$t" -max_total_time="$seconds" -max_len=$max_len -timeout=20 -rss_limit_mb=2048 -close_fd_mask=3 \
        -print_final_stats=1 -artifact_prefix="$out/artifacts/$t/" "$work" "$kept" "$out/seeds/$t" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    findings=$(ls "$out/artifacts/$t" | wc -l)
    # The minimal corpus that keeps every edge found (not every hit count:
    # that would keep thousands of files), plus the regression inputs.
    merged=$out/merged/$t
    rm -rf "$merged" && mkdir -p "$merged"
    nice -n 19 "$out/$t" -merge=1 -use_counters=0 -max_len=$max_len -timeout=20 "$merged" "$kept" "$work" "$out/seeds/$t" \
        >"$out/logs/$t.merge.log" 2>&1
    if [ -n "$(ls "$merged")" ]; then
        find "$kept" -maxdepth 1 -type f ! -name 'regress-*' -delete
        cp "$merged"/* "$kept"/
    fi
    size=$(du -sk --apparent-size "$kept" | cut -f1)
    echo "$t: $minutes min, ${execs:-?} executions, exit $rc, $findings finding(s) in build/fuzz/artifacts/$t," \
        "corpus $(ls "$kept" | wc -l) files, ${size} KB"
    [ "$rc" -eq 0 ] || status=1
done
exit $status
