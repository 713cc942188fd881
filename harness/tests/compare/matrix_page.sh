#!/bin/sh
# The version matrix, end to end on a small real run: the Markdown (as
# cmark-gfm renders it) and the HTML agree with the JSON result by result;
# the page opens in headless Chromium and shows each result in its colour
# (the screenshot is kept in the build folder); a row names its case's
# upstream reports and the first sentence of its header; a merge of two
# machines' folders keeps each cell's host and build.
. "$(dirname "$0")/../integration/lib.sh"

cases="hang-at-shutdown/broken_default_linger_unsent shared-socket/fixed_single_owner_poll shared-socket/broken_send_recv_threads"
expect_exit 0 "a small matrix on two builds" \
    "$repro" matrix $cases -m tsan -m stress -b debian-tsan -b system -b no-such-build -n 1 --jobs 2 -t ipc -o "$TMPDIR/m"
chromium=$(command -v chromium || command -v chromium-browser || true)
shot="$build/tests/matrix.png"
if [ -n "$chromium" ]; then
    mkdir -p "$build/tests"
    "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
        --disable-component-update --disable-sync --user-data-dir="$TMPDIR/chromium" --window-size=1400,900 \
        --screenshot="$shot" "file://$TMPDIR/m/index.html" >"$TMPDIR/chromium.log" 2>&1
    [ -s "$shot" ] && ok "Chromium rendered the page: $shot" || fail "no screenshot: $(tail -n 3 "$TMPDIR/chromium.log")"
    cp "$source_dir/harness/tests/compare/page_probe.html" "$TMPDIR/probe.html"
    rm -rf "$TMPDIR/page" && cp -r "$TMPDIR/m" "$TMPDIR/page"
    timeout 60 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync --window-size=1400,900 \
        --user-data-dir="$TMPDIR/chromium2" --allow-file-access-from-files --virtual-time-budget=5000 \
        --dump-dom "file://$TMPDIR/probe.html" >"$TMPDIR/dom.html" 2>"$TMPDIR/chromium.log"
    expect_exit 0 "the page shows each result in its colour" \
        python3 "$source_dir/harness/tests/compare/check_page_dom.py" "$TMPDIR/m" "$TMPDIR/dom.html" \
        --verdict reproduced --verdict clean --cites shared-socket/broken_send_recv_threads=pyzmq#2094
    cat "$TMPDIR/out"
else
    fail "chromium is not installed (ci/setup-debian.sh installs it)"
fi
expect_exit 0 "the page and matrix.md (as GFM) agree with the JSON" \
    python3 "$source_dir/harness/tests/compare/check_matrix.py" "$TMPDIR/m" --gfm "$(command -v cmark-gfm || echo cmark-gfm)"
cat "$TMPDIR/out"
grep -q 'One DEALER used by two threads at once' "$TMPDIR/m/index.html" &&
    grep -q 'cases/shared-socket/broken_send_recv_threads.c' "$TMPDIR/m/index.html" &&
    ok "a row says what its case is, from its header, and its file" || fail "a row lacks its case's summary or file"
# A fixed case whose twin is a row: what its clean runs rule out, per mode,
# from the twin's own cells (one attempt each here: too few to say much).
grep -q '^| shared-socket/fixed_single_owner_poll | tsan | shared-socket/broken_send_recv_threads | 0 of 1 say much | 4.3.4' \
    "$TMPDIR/m/matrix.md" && grep -q '<table id="power-table">' "$TMPDIR/m/index.html" &&
    grep -q '"twin": "shared-socket/broken_send_recv_threads"' "$TMPDIR/m/matrix.json" &&
    ok "matrix.md and the page say what the fixed case's clean runs rule out" ||
    fail "no statement of what the clean runs rule out: $(grep -c 'rule out' "$TMPDIR/m/matrix.md")"
grep -q 'twin fails in 1/1 runs (&gt;= 27%): weak: 1 clean runs say little' "$TMPDIR/m/matrix.md" &&
    ok "one run of each is weak, and said so" || fail "one run of each is not said to be weak"
grep -q '"command": \[' "$TMPDIR/m/matrix.json" && grep -q 'Made by <code id="command">zmq-repro matrix ' "$TMPDIR/m/index.html" &&
    ok "the page says the command that made it" || fail "the command that made the matrix is not kept"

# merge: the same folder as if from a second machine, with another build.
expect_exit 0 "a second folder" \
    "$repro" matrix hang-at-shutdown/broken_default_linger_unsent -m stress -b system -n 1 -t ipc -o "$TMPDIR/m2"
python3 - "$TMPDIR/m2/matrix.json" <<'PY'
import json, sys
path = sys.argv[1]
d = json.load(open(path))
host = next(iter(d["hosts"].values()))
d["hosts"] = {"ci-runner-2": dict(host, hostname="ci-runner-2")}
for b in d["builds"]:
    b["host"], b["name"] = "ci-runner-2", "system-ci"
for c in d["cells"]:
    c["host"], c["build"] = "ci-runner-2", "system-ci"
json.dump(d, open(path, "w"))
PY
expect_exit 0 "merge of two folders" "$repro" merge "$TMPDIR/merged" "$TMPDIR/m" "$TMPDIR/m2"
expect_exit 0 "the merged page agrees with the merged JSON" \
    python3 "$source_dir/harness/tests/compare/check_matrix.py" "$TMPDIR/merged" --gfm "$(command -v cmark-gfm || echo cmark-gfm)"
if python3 - "$TMPDIR/merged/matrix.json" "$TMPDIR/m" "$TMPDIR/m2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
by_build = {}
for c in d["cells"]:
    by_build.setdefault(c["build"], set()).add((c["host"], c.get("merged_from")))
assert by_build["system-ci"] == {("ci-runner-2", sys.argv[3])}, by_build["system-ci"]
host = next(h for h, _ in by_build["system"])
assert all(m == sys.argv[2] for _, m in by_build["system"]), by_build["system"]
assert host != "ci-runner-2"
assert set(d["hosts"]) >= {"ci-runner-2", host}
assert {b["name"] for b in d["builds"]} >= {"system", "debian-tsan", "system-ci"}
PY
then ok "each cell keeps its host and build through the merge"; else fail "provenance lost in the merge"; fi
expect_exit 2 "merge of a folder that is not a matrix" "$repro" merge "$TMPDIR/merged2" "$TMPDIR/m" "$TMPDIR"
expect_no_leftovers
finish
