#!/bin/sh
# The record `zmq-repro bisect` writes, shown by `merge --bisect FILE` (and
# `matrix --bisect FILE`) on the row whose verdict changes: its commit
# linked, its date and subject as text. A record from another machine is
# checked before anything is written: a damaged one, one of another kind or
# one of a case that is no row exits 2 and says why.
. "$(dirname "$0")/../integration/lib.sh"

fixture=$source_dir/harness/tests/fixtures/matrix_versions
commit=36a8df2f8c822bbec8fb4d513a6def8d4896700e
record() { # case commit subject > file
    python3 - "$1" "$2" "$3" <<'PY'
import json, sys
print(json.dumps({"kind": "bisect", "schema": 1, "case": sys.argv[1], "mode": "stress",
                  "looking_for": "fix", "from": "v4.3.2", "to": "v4.3.3", "commit": sys.argv[2],
                  "date": "2020-05-04", "subject": sys.argv[3], "attempts": 2,
                  "steps": ["bisect-step 1234567: broken"], "wall_s": 306}))
PY
}

# The fixture's rows carry no subject: the record's is shown.
mkdir -p "$TMPDIR/plain"
python3 - "$fixture/matrix.json" "$TMPDIR/plain/matrix.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for r in d["rows"]:
    r.pop("bisect", None)
json.dump(d, open(sys.argv[2], "w"))
PY
record hang-at-shutdown/broken_socket_after_ctx_shutdown $commit \
    'Problem: <script>alert(1)</script> zmq_ctx_term hangs | fixed *here*' >"$TMPDIR/rec.json"
expect_exit 0 "merge --bisect" "$repro" merge "$TMPDIR/out1" "$TMPDIR/plain" --bisect "$TMPDIR/rec.json"
page=$TMPDIR/out1/index.html md=$TMPDIR/out1/matrix.md
grep -q "bisect: <a href=\"https://github.com/zeromq/libzmq/commit/$commit\">$commit</a>" "$page" &&
    ok "the page links the record's commit" || fail "the page does not link the record's commit"
grep -q '<div class="subject">2020-05-04 Problem: &lt;script&gt;alert(1)&lt;/script&gt; zmq_ctx_term hangs' "$page" &&
    ok "the page shows the commit's date and subject as text" || fail "the page does not show the subject, escaped"
if grep -q '<script' "$page"; then fail "the subject's <script> reached the page"; else ok "no <script> on the page"; fi
grep -q "changes at 4.3.3: .*; bisect: \[$commit\](https://github.com/zeromq/libzmq/commit/$commit) 2020-05-04 \"Problem:" "$md" &&
    ok "matrix.md names the commit, its date and subject" || fail "matrix.md does not name the record's commit and subject"
cmark=$(command -v cmark-gfm || true)
if [ -n "$cmark" ]; then
    row=$("$cmark" -e table "$md" | grep -c '<script\|<em>here</em>')
    [ "$row" -eq 0 ] && ok "the subject renders as text in GFM" || fail "the subject is markup in GFM"
    python3 "$source_dir/harness/tests/compare/check_matrix.py" "$TMPDIR/out1" --gfm "$cmark" >"$TMPDIR/out" 2>&1 &&
        ok "matrix.md (as GFM) still says what matrix.json says" || { fail "check_matrix.py"; cat "$TMPDIR/out"; }
fi
python3 -c 'import json,sys; b=[r["bisect"] for r in json.load(open(sys.argv[1]))["rows"] if "bisect" in r]; sys.exit(not b or b[0]["subject"][:8] != "Problem:")' \
    "$TMPDIR/out1/matrix.json" && ok "matrix.json keeps the record on the rows" || fail "matrix.json has no rows[].bisect"

# A record the harness did not write: refused before anything is written.
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["commit"]=12; print(json.dumps(d))' "$TMPDIR/rec.json" >"$TMPDIR/num.json"
expect_exit 2 "a record whose commit is a number" "$repro" merge "$TMPDIR/out2" "$TMPDIR/plain" --bisect "$TMPDIR/num.json"
expect_output "commit"
[ ! -e "$TMPDIR/out2" ] && ok "nothing written for a damaged record" || fail "merge wrote $TMPDIR/out2 for a damaged record"
record shared-socket/no_such_case $commit "x" >"$TMPDIR/other.json"
expect_exit 2 "a record of a case that is no row" "$repro" merge "$TMPDIR/out3" "$TMPDIR/plain" --bisect "$TMPDIR/other.json"
expect_output "matches no row"
sed 's/"kind": "bisect"/"kind": "matrix"/' "$TMPDIR/rec.json" >"$TMPDIR/kind.json"
expect_exit 2 "a record of another kind" "$repro" merge "$TMPDIR/out4" "$TMPDIR/plain" --bisect "$TMPDIR/kind.json"
printf '{"kind": "bisect", "schema": 1, "case": "\033[31mred' >"$TMPDIR/cut.json"
expect_exit 2 "a record cut short" "$repro" merge "$TMPDIR/out5" "$TMPDIR/plain" --bisect "$TMPDIR/cut.json"
if grep -q "$(printf '\033')" "$TMPDIR/out"; then fail "a terminal escape of the record reached the terminal"; else
    ok "no terminal escape of the record printed"; fi
expect_exit 2 "--bisect of a file that is not there" "$repro" merge "$TMPDIR/out6" "$TMPDIR/plain" --bisect "$TMPDIR/none.json"

# matrix --bisect: a record that is no row of the selection fails before any cell runs or any file is written.
expect_exit 2 "matrix --bisect with a record of another case" "$repro" matrix shared-socket/broken_send_recv_threads \
    -m stress -b system -n 1 -o "$TMPDIR/mx" --bisect "$TMPDIR/rec.json"
expect_output "matches no row"
[ ! -e "$TMPDIR/mx" ] && ok "matrix wrote nothing" || fail "matrix wrote $TMPDIR/mx for a record it cannot show"
expect_exit 2 "matrix --bisect with a damaged record" "$repro" matrix hang-at-shutdown/broken_socket_after_ctx_shutdown \
    -m stress -b system -n 1 -o "$TMPDIR/mx" --bisect "$TMPDIR/num.json"
finish
