#!/bin/sh
# Matrix folders from other machines, and build fields from a build folder,
# are untrusted: a real small matrix is damaged by hand the way a hostile
# matrix.json or build-info.json can be, then merged. The page runs no
# script (headless Chromium: the payloads would set document.title), links
# only to reports/ inside the folder, and Markdown keeps its table; a
# report path out of its folder is refused (exit 2, the field named) before
# anything is written; a build name with a byte of Latin-1 still has its
# error in matrix.json.
. "$(dirname "$0")/lib.sh"

expect_exit 0 "a small real matrix" \
    "$repro" matrix hang-at-shutdown/broken_default_linger_unsent -m stress -b system -n 1 -t ipc -o "$TMPDIR/m"

# damage DIR PYTHON-STATEMENT: DIR/matrix.json with d changed (d is the document).
damage() {
    python3 - "$1/matrix.json" "$2" <<'PY'
import json, sys
path = sys.argv[1]
d = json.load(open(path))
exec(sys.argv[2])
json.dump(d, open(path, "w"))
PY
}
copy_of_m() { rm -rf "$1" && mkdir -p "$(dirname "$1")" && cp -r "$TMPDIR/m" "$1"; }

# Script in every field the page shows; a cell that links to javascript:
# (a file of that name is there, so that merge keeps the field).
copy_of_m "$TMPDIR/evil"
link="javascript:document.title='pwned-link'"
echo "not a report" >"$TMPDIR/evil/$link"
damage "$TMPDIR/evil" "
s = lambda what: '<script>document.title=\"pwned-%s\"</script>' % what
b = d['builds'][0]
b['version'] = s('version')
b['flavour'] = '<img src=x onerror=\"document.title=\\'pwned-img\\'\">'
b['host'] = s('buildhost') + ' | \`tick\` \\\\| x'
host = next(iter(d['hosts'].values()))
d['hosts'] = {s('hostkey'): dict(host, os=s('os'))}
d['rows'][0]['mode'] = s('mode')
for c in d['cells']:
    c['mode'] = s('mode')
    c['host'] = s('cellhost')
    c['report'] = \"$link\"
"
expect_exit 0 "merge of a damaged folder" "$repro" merge "$TMPDIR/merged" "$TMPDIR/evil"
page=$TMPDIR/merged/index.html
if grep -qi '<script' "$page"; then fail "index.html holds a script: $(grep -io '<script[^>]*>[^<]*' "$page" | head -n 2)"
else ok "no <script in index.html"; fi
if grep -qi '<img' "$page"; then fail "index.html holds an injected element"; else ok "no injected <img"; fi
grep -q '&lt;script&gt;document.title=&quot;pwned-version&quot;&lt;/script&gt;' "$page" &&
    grep -q '&lt;script&gt;document.title=&quot;pwned-hostkey&quot;' "$page" &&
    grep -q '&lt;script&gt;document.title=&quot;pwned-os&quot;' "$page" &&
    grep -q '&lt;script&gt;document.title=&quot;pwned-mode&quot;' "$page" &&
    ok "the payloads are shown as text" || fail "a payload is not escaped as text"
grep -q "http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'" "$page" &&
    ok "the page forbids script" || fail "no Content-Security-Policy"
if grep -qi 'href="javascript' "$page"; then fail "a cell links to javascript:"; else ok "no javascript: link"; fi
md=$TMPDIR/merged/matrix.md
if grep -q '<script\|<img' "$md"; then fail "matrix.md holds raw HTML"; else ok "no raw HTML in matrix.md"; fi
grep -qF '\| \`tick\` \\\| x' "$md" && ok "matrix.md escapes | and backquotes" ||
    fail "matrix.md does not escape | and backquotes: $(grep tick "$md")"
chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$chromium" ]; then
    timeout 60 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$TMPDIR/chromium" --dump-dom "file://$page" >"$TMPDIR/dom.html" 2>"$TMPDIR/chromium.log"
    title=$(grep -o '<title>[^<]*</title>' "$TMPDIR/dom.html")
    case $title in
    *"libzmq builds compared: merged"*) ok "Chromium loaded the page; its title is its own: $title" ;;
    *) fail "the page's title after loading: '$title' ($(tail -n 2 "$TMPDIR/chromium.log"))" ;;
    esac
    if grep -qi '<script\|<img' "$TMPDIR/dom.html"; then fail "the loaded page holds an injected element"; else
        ok "no injected element in the loaded page"; fi
else
    ok "chromium is not installed: the page was checked as text only"
fi

# A build folder of someone else's: its build-info.json names the version
# and flavour the page shows (a copy of the system build's, damaged).
mkdir -p "$TMPDIR/their-build"
cp "$("$repro" builds system)/build-info.json" "$TMPDIR/their-build/"
damage_file() { python3 - "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
exec(sys.argv[2])
json.dump(d, open(sys.argv[1], "w"))
PY
}
damage_file "$TMPDIR/their-build/build-info.json" "
d['version'] = '<script>document.title=\"pwned-info\"</script>'
d['flavour'] = '<img src=x onerror=\"document.title=1\">'
"
expect_exit 0 "a matrix on a build folder with a damaged build-info.json" \
    "$repro" matrix hang-at-shutdown/broken_default_linger_unsent -m stress -b "$TMPDIR/their-build" -n 1 -t ipc \
    -o "$TMPDIR/their-matrix"
if grep -qi '<script\|<img' "$TMPDIR/their-matrix/index.html" "$TMPDIR/their-matrix/matrix.md"; then
    fail "build-info.json's fields are in the page as HTML"
else ok "build-info.json's fields are text, in index.html and matrix.md"; fi
grep -q '&lt;script&gt;document.title=&quot;pwned-info&quot;' "$TMPDIR/their-matrix/index.html" &&
    ok "the version is shown escaped" || fail "the version is not shown escaped"

# A report path out of its folder: refused before anything is written.
mkdir -p "$TMPDIR/a/b"
echo "read from outside the folder" >"$TMPDIR/a/payload.txt"
copy_of_m "$TMPDIR/a/b/m"
damage "$TMPDIR/a/b/m" "d['cells'][0]['report'] = '../../payload.txt'"
expect_exit 2 "merge of a report path with .." "$repro" merge "$TMPDIR/x/y/out" "$TMPDIR/a/b/m"
expect_output 'cells\[0\].report: "../../payload.txt" is not a path inside the folder'
[ ! -e "$TMPDIR/x/payload.txt" ] && [ ! -e "$TMPDIR/x/y/out" ] && ok "nothing written, inside OUT or out of it" ||
    fail "merge wrote: $(find "$TMPDIR/x" | head -n 3)"
damage "$TMPDIR/a/b/m" "d['cells'][0]['report'] = '/etc/passwd'"
expect_exit 2 "merge of an absolute report path" "$repro" merge "$TMPDIR/x/y/out" "$TMPDIR/a/b/m"
expect_output 'cells\[0\].report: "/etc/passwd"'
# The same after a good folder: the good one is not half-merged either.
expect_exit 2 "merge of a good folder and a bad one" "$repro" merge "$TMPDIR/x/y/out" "$TMPDIR/m" "$TMPDIR/a/b/m"
[ ! -e "$TMPDIR/x/y/out" ] && ok "nothing written" || fail "merge wrote into OUT before refusing"
# reports/ a symbolic link out of the folder: its files are not copied.
copy_of_m "$TMPDIR/linked"
mkdir -p "$TMPDIR/secret" && echo "a secret" >"$TMPDIR/secret/s.txt"
rm -rf "$TMPDIR/linked/reports" && ln -s "$TMPDIR/secret" "$TMPDIR/linked/reports"
damage "$TMPDIR/linked" "d['cells'][0]['report'] = 'reports/s.txt'"
expect_exit 0 "merge of a folder whose reports/ links out of it" "$repro" merge "$TMPDIR/lout" "$TMPDIR/linked"
[ ! -e "$TMPDIR/lout/reports/s.txt" ] && ok "a file out of the folder is not copied" || fail "the linked file was copied"
# Fields the merge relies on.
copy_of_m "$TMPDIR/noname"
damage "$TMPDIR/noname" "del d['builds'][0]['name']"
expect_exit 2 "merge of a build without its name" "$repro" merge "$TMPDIR/nout" "$TMPDIR/noname"
expect_output 'matrix.json: builds\[0\].name: missing (a string is needed)'
damage "$TMPDIR/noname" "d['builds'][0]['name'] = 'x'; d['cells'][0]['case'] = 7"
expect_exit 2 "merge of a cell whose case is no string" "$repro" merge "$TMPDIR/nout" "$TMPDIR/noname"
expect_output 'matrix.json: cells\[0\].case: an integer where a string is needed'

# One byte of Latin-1 in a build's name: its column's error stays in
# matrix.json, and the terminal shows the byte escaped.
latin1=$(printf 'caf\351')
expect_exit 0 "a matrix with a build named in Latin-1" \
    "$repro" matrix hang-at-shutdown/broken_default_linger_unsent -m stress -b "$latin1" -n 1 -t ipc -o "$TMPDIR/l1"
expect_output 'matrix: build caf\\xe9:'
if python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
assert all(b.get('error') for b in d['builds']), d['builds']
assert all(c.get('reason') for c in d['cells']), d['cells']
" "$TMPDIR/l1/matrix.json"; then ok "the build's error and the cell's reason are in matrix.json"; else
    fail "a field vanished from matrix.json"; fi

expect_no_leftovers
finish
