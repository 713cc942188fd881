#!/bin/sh
# Every ERROR of a cell is visible: a cell that reproduced in one attempt
# and lost another to the harness (the watchdog before Python had loaded
# libzmq, say) says how many it lost, in matrix.md and in index.html (its
# own outline), not a plain green "reproduced".
. "$(dirname "$0")/lib.sh"

cp -r "$source_dir/results/comparison" "$TMPDIR/in"
python3 - "$TMPDIR/in/matrix.json" <<'PY'
import json, sys
path = sys.argv[1]
doc = json.load(open(path))
for cell in doc["cells"]:
    if cell.get("status") == "ran" and cell.get("judged_as") == "broken" and cell.get("meeting_expectation", 0) > 0:
        cell["errors"] = 1
        print(cell["case"], cell["mode"], cell["build"])
        break
json.dump(doc, open(path, "w"))
PY
expect_exit 0 "merge renders the damaged cell" "$repro" merge "$TMPDIR/merged" "$TMPDIR/in"
cp "$TMPDIR/merged/matrix.md" "$TMPDIR/out.md"
grep -q ": reproduced [0-9]*/[0-9]*.*, 1 ERROR" "$TMPDIR/out.md" && ok "matrix.md says the cell lost 1 attempt" ||
    fail "matrix.md does not say the lost attempt"
grep -q 'class="r present lost" data-kind="present"[^>]*data-errors="1"' "$TMPDIR/merged/index.html" &&
    grep -q ': reproduced [0-9]*/[0-9]*[^<]*, 1 ERROR<' "$TMPDIR/merged/index.html" &&
    ok "index.html marks the result and says the lost attempt" || fail "index.html does not mark the result"
expect_no_leftovers
finish
