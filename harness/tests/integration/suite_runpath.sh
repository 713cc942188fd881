#!/bin/sh
# check --suite on a project's tests that were linked with a RUNPATH to the
# project's own libzmq. The harness's LD_LIBRARY_PATH outranks a RUNPATH,
# so they would run on the harness's build without a word: said before the
# suite runs, an ERROR (exit 2) without -b, a warning with -b. A RUNPATH to
# the build's very library (the same bytes) is no mismatch. The result names
# every libzmq file the suite's processes mapped.
. "$(dirname "$0")/lib.sh"

system_lib=$(readlink -f "$("$repro" builds system)/lib/libzmq.so.5" 2>/dev/null)
[ -f "$system_lib" ] || system_lib=$(ldconfig -p | sed -n 's/^[[:space:]]*libzmq\.so\.5 .*=> //p' | head -n 1)
system_lib=$(readlink -f "$system_lib")
[ -f "$system_lib" ] || { echo "skipped: no system libzmq"; exit 77; }
proj=$TMPDIR/proj
mkdir -p "$proj/lib" "$proj/tests"
# The project's own libzmq: another file (one byte more) than the build's.
cp "$system_lib" "$proj/lib/libzmq.so.5" && printf 'x' >>"$proj/lib/libzmq.so.5"
printf '#include <zmq.h>\n#include <stdio.h>\nint main(void)\n{\n    int a, b, c;\n    zmq_version(&a, &b, &c);\n    printf("libzmq %%d.%%d.%%d\\n", a, b, c);\n    return 0;\n}\n' >"$proj/t.c"
cc -o "$proj/tests/test_version" "$proj/t.c" -L"$proj/lib" -l:libzmq.so.5 -Wl,--enable-new-dtags -Wl,-rpath,'$ORIGIN/../lib' ||
    fail "cannot build the project's test"
readelf -d "$proj/tests/test_version" | grep -q RUNPATH && ok "the test carries a RUNPATH" || fail "no RUNPATH"
cd "$proj" || exit 2
expect_exit 2 "a suite that brings its own libzmq, no -b" "$repro" check --suite -m stress --no-results -- tests/test_version
expect_output "1 binary in $proj brings a libzmq of its own (RUNPATH), which build system would replace"
expect_output "tests/test_version -> $proj/lib/libzmq.so.5"
expect_output "pass -b system to run it on system knowingly"
expect_no_output "exited with"
expect_exit 0 "the same with -b system: run, said" "$repro" check --suite -m stress -b system -r "$results" -- tests/test_version
expect_output "running them on build system, as -b asks"
expect_output "exited with 0"
result=$(ls "$results"/suite/*.json 2>/dev/null | head -n 1)
[ -z "$result" ] && result=$(find "$results" -name '*.json' | head -n 1)
python3 - "$result" "$system_lib" <<'PY' && ok "the result names the libzmq each process mapped" || fail "no loaded_libzmq in $result"
import json, os, sys
d = json.load(open(sys.argv[1]))
files = d["loaded_libzmq"]
assert any(os.path.realpath(p) == sys.argv[2] and v["processes"] >= 1 for p, v in files.items()), files
PY
# The same bytes as the build's library: no mismatch, nothing said.
cp "$system_lib" "$proj/lib/libzmq.so.5"
expect_exit 0 "a RUNPATH to a copy of the build's own library" "$repro" check --suite -m stress --no-results -- tests/test_version
expect_no_output "RUNPATH"
cd / || exit 2
expect_no_leftovers
finish
