#!/bin/sh
# zmq-repro bisect finds the commit that fixed libzmq #3792 between v4.3.2 and
# v4.3.3: 36a8df2f (PR #3794). Needs upstream's history up to v4.3.3
# (libzmq-to-v4.3.3.bundle in ZR_LIBZMQ_SOURCES, default ../shared/libzmq):
# skipped when it is not there. Builds about ten commits: minutes.
. "$(dirname "$0")/../integration/lib.sh"

sources=${ZR_LIBZMQ_SOURCES:-$source_dir/../shared/libzmq}
if [ ! -f "$sources/libzmq-to-v4.3.3.bundle" ]; then
    echo "skipped: no libzmq-to-v4.3.3.bundle in $sources (set ZR_LIBZMQ_SOURCES)"
    exit 77
fi
expect_exit 0 "bisect the fix of #3792" "$repro" bisect hang-at-shutdown/broken_socket_after_ctx_shutdown \
    --source "$sources/libzmq-to-v4.3.3.bundle" --from v4.3.2 --to v4.3.3 --looking-for fix -m stress -n 2 \
    --json "$TMPDIR/bisect.json"
expect_output "first fixed commit: 36a8df2f8c822bbec8fb4d513a6def8d4896700e"
cat "$TMPDIR/out"
# The record matrix --bisect shows: what was looked for, and the commit with its subject.
python3 - "$TMPDIR/bisect.json" <<'PY' && ok "the record names the commit, its subject and every step" ||
import json, sys
r = json.load(open(sys.argv[1]))
assert r["kind"] == "bisect" and r["case"] == "hang-at-shutdown/broken_socket_after_ctx_shutdown", r
assert r["commit"] == "36a8df2f8c822bbec8fb4d513a6def8d4896700e" and r["looking_for"] == "fix", r
assert r["from"] == "v4.3.2" and r["to"] == "v4.3.3" and r["mode"] == "stress" and r["subject"], r
# 697 commits from v4.3.2 to v4.3.3: git needs 9 or 10 steps, each one kept.
assert len(r["steps"]) >= 8 and all(s.startswith("bisect-step ") for s in r["steps"]), r["steps"]
PY
    fail "the record is not what bisect found: $(cat "$TMPDIR/bisect.json")"
expect_exit 2 "bisect of a revision that is not there" "$repro" bisect hang-at-shutdown/broken_socket_after_ctx_shutdown \
    --source "$sources/libzmq-to-v4.3.3.bundle" --from v9.9.9 --to v4.3.3 --looking-for fix \
    --json "$TMPDIR/none.json"
[ ! -e "$TMPDIR/none.json" ] && ok "no record of a bisection that did not run" || fail "a record of a bisection that did not run"
expect_no_leftovers
finish
