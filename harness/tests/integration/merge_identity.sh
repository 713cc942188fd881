#!/bin/sh
# Two machines that both call a build "system" (4.3.4 on one, 4.3.5 on the
# other): merge matches builds by what they are (their key), never by name
# alone, so the second becomes system@HOST with its own cells; the same build
# on both machines stays one column.
. "$(dirname "$0")/lib.sh"

cp -r "$source_dir/results/comparison" "$TMPDIR/a"
cp -r "$source_dir/results/comparison" "$TMPDIR/b"
python3 - "$TMPDIR/b/matrix.json" <<'PY'
import json, sys
path = sys.argv[1]
doc = json.load(open(path))
for b in doc["builds"]:
    if b["name"] == "system":
        b["key"], b["version"], b["host"] = "0000other0000key", "4.3.5", "elsewhere"
json.dump(doc, open(path, "w"))
PY
expect_exit 0 "merge of the two folders" "$repro" merge "$TMPDIR/merged" "$TMPDIR/a" "$TMPDIR/b"
expect_output "a build named system on two machines is not the same build: this one is system@elsewhere"
python3 - "$TMPDIR/merged/matrix.json" >"$TMPDIR/py.out" 2>&1 <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
names = [b["name"] for b in doc["builds"]]
assert names.count("system") == 1 and "system@elsewhere" in names, names
assert names.count("4.3.2-tsan") == 1, names  # the same build on both: one column
assert any(c["build"] == "system@elsewhere" for c in doc["cells"]), "no cell of the renamed build"
PY
[ $? -eq 0 ] && ok "one column per build, the clash renamed with its cells" || fail "merged builds: $(cat "$TMPDIR/py.out")"
expect_no_leftovers
finish
