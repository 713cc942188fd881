#!/bin/sh
# The version comparison as a person reads it, from a matrix.json made of
# the committed comparison's cells (harness/tests/fixtures/matrix_versions:
# four cases on ten builds, with three cells changed by hand to show what
# the committed run did not have: a cell whose attempts the harness all
# lost, a fixed case not clean once, a reproduction that lost one attempt).
# `merge` renders it; the page is opened in headless Chromium (a screenshot
# is kept in the build folder) and checked from its DOM and computed
# styles: the colour of a reproduced, a clean, a fixed-upstream and an
# ERROR result, no n/a that the column's head explains, the #3792 row
# marked as changing at 4.3.3, every location of a symptom listed.
# matrix.md, rendered by cmark-gfm, shows the same tables; it stays within
# one GitHub comment, and --rows differing keeps only what differs.
. "$(dirname "$0")/../integration/lib.sh"

fixture=$source_dir/harness/tests/fixtures/matrix_versions
check=$source_dir/harness/tests/compare
expect_exit 0 "the fixture rendered" "$repro" merge "$TMPDIR/probe/page" "$fixture"
cmark=$(command -v cmark-gfm || true)
[ -n "$cmark" ] || fail "cmark-gfm is not installed (ci/setup-debian.sh installs it)"
expect_exit 0 "index.html and matrix.md (as GFM) say what matrix.json says" \
    python3 "$check/check_matrix.py" "$TMPDIR/probe/page" --gfm "${cmark:-cmark-gfm}"
cat "$TMPDIR/out"

chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$chromium" ]; then
    flags="--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
           --disable-component-update --disable-sync --window-size=1400,900"
    shot="$build/tests/matrix-versions.png"
    mkdir -p "$build/tests"
    rm -f "$shot"
    # shellcheck disable=SC2086 # flags are words
    timeout 60 "$chromium" $flags --user-data-dir="$TMPDIR/chromium" --screenshot="$shot" \
        "file://$TMPDIR/probe/page/index.html" >"$TMPDIR/chromium.log" 2>&1
    [ -s "$shot" ] && ok "Chromium drew the page: $shot" || fail "no screenshot: $(tail -n 3 "$TMPDIR/chromium.log")"
    # The checks' own page opens the matrix page in a frame and writes what it sees.
    cp "$check/page_probe.html" "$TMPDIR/probe/probe.html"
    # shellcheck disable=SC2086
    timeout 60 "$chromium" $flags --user-data-dir="$TMPDIR/chromium2" --allow-file-access-from-files \
        --virtual-time-budget=5000 --dump-dom "file://$TMPDIR/probe/probe.html" >"$TMPDIR/dom.html" 2>"$TMPDIR/chromium.log"
    expect_exit 0 "the page as Chromium shows it" python3 "$check/check_page_dom.py" "$TMPDIR/probe/page" "$TMPDIR/dom.html" \
        --verdict reproduced --verdict clean --verdict "fixed upstream" --verdict error --verdict "NOT FIXED" \
        --changes hang-at-shutdown/broken_socket_after_ctx_shutdown=4.3.3 \
        --cites hang-at-shutdown/broken_socket_after_ctx_shutdown=libzmq#3792 \
        --symptom "ASSERT Bad address (src/pipe.cpp)" --min-builds 4
    cat "$TMPDIR/out"
else
    fail "chromium is not installed (ci/setup-debian.sh installs it)"
fi

# The columns: one per version, what a column cannot run said in its head only.
page=$TMPDIR/probe/page/index.html
grep -q 'data-column="4.3.4 (system)" data-note="tsan not run: no instrumented build of this version"' "$page" &&
    ok "the system column's head says it runs no tsan" || fail "the system column's head does not say what it cannot run"
if grep -q '>tsan: n/a' "$page"; then fail "a cell says tsan n/a"; else ok "no cell says tsan n/a"; fi

# A bisect result recorded for a row (rows[].bisect) is named where its verdict changes,
# linked only when it is a commit's hex.
commit=36a8df2f8c822bbec8fb4d513a6def8d4896700e
grep -q "bisect: <a href=\"https://github.com/zeromq/libzmq/commit/$commit\">$commit</a>" "$page" &&
    grep -q "changes at 4.3.3: .*; bisect: \[$commit\](https://github.com/zeromq/libzmq/commit/$commit)" \
        "$TMPDIR/probe/page/matrix.md" && ok "the #3792 row names the commit bisect found" ||
    fail "the bisect commit is not on the #3792 row"
mkdir -p "$TMPDIR/evil"
sed 's/"commit": "36a8df2f[0-9a-f]*"/"commit": "javascript:alert(1)"/' "$fixture/matrix.json" >"$TMPDIR/evil/matrix.json"
expect_exit 0 "a bisect commit that is no commit" "$repro" merge "$TMPDIR/evil-out" "$TMPDIR/evil"
if grep -q 'href="javascript\|bisect:' "$TMPDIR/evil-out/index.html"; then fail "a bisect field that is no commit is linked"; else
    ok "a bisect field that is no commit is not shown"; fi

# Text of the document is only text in matrix.md as GFM renders it: no link,
# emphasis or strike-through of its own, no bare address made a link.
mkdir -p "$TMPDIR/marks"
python3 - "$fixture/matrix.json" "$TMPDIR/marks/matrix.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["builds"][0]["origin"] = "MARKS www.example.com https://example.com/x [l](https://example.com) *b* __c__ ~~d~~ MARKS"
json.dump(d, open(sys.argv[2], "w"))
PY
expect_exit 0 "a build whose origin is Markdown" "$repro" merge "$TMPDIR/marks-out" "$TMPDIR/marks"
if [ -n "$cmark" ]; then
    "$cmark" -e table -e autolink -e strikethrough "$TMPDIR/marks-out/matrix.md" | grep 'MARKS' >"$TMPDIR/marks.html"
    if grep -q '<a \|<em>\|<strong>\|<del>' "$TMPDIR/marks.html"; then fail "the origin's text is Markdown: $(cat "$TMPDIR/marks.html")"
    else ok "the origin's text renders as text: $(sed 's/<[^>]*>//g' "$TMPDIR/marks.html" | tr -d '\342\200\213' | head -c 200)"; fi
fi

# --rows differing: only the cases that differ, in matrix.md.
expect_exit 0 "merge --rows differing" "$repro" merge --rows differing "$TMPDIR/diff" "$fixture"
expect_exit 0 "matrix.md of --rows differing (as GFM)" \
    python3 "$check/check_matrix.py" "$TMPDIR/diff" --gfm "${cmark:-cmark-gfm}"
if grep -q 'All cases' "$TMPDIR/diff/matrix.md"; then fail "--rows differing still has every case"; else
    ok "--rows differing leaves out the cases that do not differ"; fi
grep -q '^| .*broken_socket_after_ctx_shutdown.* | changes at 4.3.3' "$TMPDIR/diff/matrix.md" &&
    ok "the #3792 row is in it" || fail "the #3792 row is not in matrix.md of --rows differing"
expect_exit 2 "--rows takes all or differing" "$repro" merge --rows some "$TMPDIR/x" "$fixture"

# A matrix too long for one comment: matrix.md is cut to fit, and says so.
python3 - "$fixture/matrix.json" "$TMPDIR/big" <<'PY'
import json, os, sys
d = json.load(open(sys.argv[1]))
rows, cells = [], []
for i in range(60):
    for r in d["rows"]:
        rows.append(dict(r, case="%s_%d" % (r["case"], i)))
    for c in d["cells"]:
        cells.append(dict(c, case="%s_%d" % (c["case"], i)))
d["rows"], d["cells"] = rows, cells
os.makedirs(sys.argv[2])
json.dump(d, open(sys.argv[2] + "/matrix.json", "w"))
PY
expect_exit 0 "a matrix of 240 cases rendered" "$repro" merge "$TMPDIR/big-out" "$TMPDIR/big"
size=$(python3 -c "import sys; print(len(open(sys.argv[1], encoding=\"utf-8\").read()))" "$TMPDIR/big-out/matrix.md")
[ "$size" -lt 65536 ] && ok "its matrix.md is $size characters: one GitHub comment" ||
    fail "its matrix.md is $size characters"
grep -q 'more cases are in index.html' "$TMPDIR/big-out/matrix.md" && ok "it says what it left out" ||
    fail "matrix.md does not say it left cases out"
expect_exit 0 "the cut matrix.md (as GFM) still agrees with the page" \
    python3 "$check/check_matrix.py" "$TMPDIR/big-out" --gfm "${cmark:-cmark-gfm}"
expect_no_leftovers
finish
